import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaselineError, loadBaselineFile, parseBaseline } from './baseline.loader';
import { SHIPPED_PRESETS_DIR } from './baseline.registry';

const FILE = 'baselines/test.yaml';

/** A valid baseline; each test breaks one thing in it. */
const VALID = `id: test-baseline
version: 1
provider: slack
title: Test baseline
parameters:
  maxGuests:
    description: Most guests allowed.
    default: 0
  approvedApps:
    description: Reviewed apps.
    default: []
controls:
  - id: TEST.GUESTS.1
    title: Few guests
    area: sharing
    severity: medium
    references: [internal policy SEC-1]
    rationale: Guests are outsiders.
    remediation: Remove guests.
    check:
      type: setting
      key: slack.guests.multi_channel_count
      op: lte
      value: { param: maxGuests }
  - id: TEST.OAUTH.1
    title: No admin apps
    area: oauth
    severity: critical
    references: [internal policy SEC-2]
    rationale: Admin apps can do anything.
    remediation: Restrict the app.
    check:
      type: oauth
      forbiddenScopes: ['admin*']
      allowedApps: { param: approvedApps }
`;

function edit(from: string, to: string): string {
  if (!VALID.includes(from)) throw new Error(`fixture does not contain ${from}`);
  return VALID.replace(from, to);
}

/** 1-based line and column of the first occurrence of `needle`. */
function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`text does not contain ${needle}`);
  const before = text.slice(0, index);
  return { line: before.split('\n').length, column: index - before.lastIndexOf('\n') };
}

function errorOf(text: string): BaselineError {
  try {
    parseBaseline(text, FILE);
  } catch (err) {
    if (err instanceof BaselineError) return err;
    throw err;
  }
  throw new Error('expected the baseline to be rejected');
}

describe('parseBaseline', () => {
  it('parses a valid file into a typed baseline with its source and content hash', () => {
    const baseline = parseBaseline(VALID, FILE);
    expect(baseline).toMatchObject({
      id: 'test-baseline',
      version: 1,
      provider: 'slack',
      source: FILE,
      parameters: { maxGuests: { description: 'Most guests allowed.', default: 0 } },
    });
    expect(baseline.controls.map((c) => c.id)).toEqual(['TEST.GUESTS.1', 'TEST.OAUTH.1']);
    expect(baseline.controls[0].check).toEqual({
      type: 'setting',
      key: 'slack.guests.multi_channel_count',
      op: 'lte',
      value: { param: 'maxGuests' },
    });
    expect(baseline.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes content, not formatting: comments and key order do not change the hash, a value does', () => {
    const hash = parseBaseline(VALID, FILE).hash;
    const reformatted = `# a comment\n${edit('version: 1\nprovider: slack', 'provider: slack   # inline\nversion: 1')}`;
    expect(parseBaseline(reformatted, 'elsewhere.yaml').hash).toBe(hash);
    expect(parseBaseline(edit('default: 0', 'default: 1'), FILE).hash).not.toBe(hash);
  });

  it('returns a frozen baseline so a shared registry entry cannot be altered by one caller', () => {
    const baseline = parseBaseline(VALID, FILE);
    expect(Object.isFrozen(baseline)).toBe(true);
    expect(Object.isFrozen(baseline.controls[0].check)).toBe(true);
  });

  it('formats the message as <file>:<line>:<col>: <reason>', () => {
    const err = errorOf(edit('severity: medium', 'severity: urgent'));
    expect(err.message).toBe(`${FILE}:${err.line}:${err.column}: ${err.reason}`);
    expect(err.file).toBe(FILE);
    expect(err.name).toBe('BaselineError');
  });

  describe('rejects, naming file, line and reason', () => {
    it('malformed YAML, at the position the YAML parser reports', () => {
      const text = edit('forbiddenScopes: [\'admin*\']', 'forbiddenScopes: [\'admin*\'\n      allowedApps: [');
      const err = errorOf(text);
      expect(err.file).toBe(FILE);
      expect(err.reason).toMatch(/^invalid YAML: /);
      expect(err.line).toBeGreaterThanOrEqual(positionOf(text, "forbiddenScopes: ['admin*'").line);
    });

    it('a key repeated in one mapping', () => {
      const text = edit('    severity: medium\n', '    severity: medium\n    severity: low\n');
      const err = errorOf(text);
      expect(err.reason).toMatch(/invalid YAML: Map keys must be unique/);
      expect(err.line).toBe(positionOf(text, 'severity: low').line);
    });

    it('an unknown operator, at the operator', () => {
      const text = edit('op: lte', 'op: greaterThan');
      const err = errorOf(text);
      expect(err.reason).toBe(
        'controls[0].check.op: unknown operator "greaterThan" (expected one of: equals, notEquals, in, notIn, lte, gte, subsetOf, isEmpty, isTrue, isFalse)',
      );
      expect(err).toMatchObject(positionOf(text, 'greaterThan'));
    });

    it('an unknown check type', () => {
      const text = edit('type: setting', 'type: settings');
      const err = errorOf(text);
      expect(err.reason).toBe(
        'controls[0].check: unknown check type "settings" (expected one of: setting, oauth, residency, attestation)',
      );
      expect(err.line).toBe(positionOf(text, 'type: settings').line);
    });

    it('an unknown field (a typo), naming the field and the one meant', () => {
      const text = edit('    severity: medium', '    severty: medium');
      const err = errorOf(text);
      expect(err.reason).toBe('controls[0]: unknown field "severty" (did you mean "severity"?)');
      expect(err).toMatchObject(positionOf(text, 'severty'));
      // The real field is missing too, but saying so again would only repeat the suggestion.
      expect(err.issues).toHaveLength(1);
      expect(errorOf(edit('    severity: medium', '    level: medium')).issues.map((i) => i.reason)).toEqual([
        'controls[0]: missing required field "severity"',
        'controls[0]: unknown field "level"',
      ]);
    });

    it('unknown fields at every level: top level, parameter, check, parameter reference', () => {
      expect(errorOf(`${VALID}owner: me\n`).reason).toBe('baseline: unknown field "owner"');
      expect(errorOf(edit('default: 0', 'default: 0\n    type: number')).reason).toBe(
        'parameters.maxGuests: unknown field "type"',
      );
      expect(errorOf(edit("forbiddenScopes: ['admin*']", "forbiddenScope: ['admin*']")).reason).toBe(
        'controls[1].check: unknown field "forbiddenScope" (did you mean "forbiddenScopes"?)',
      );
      expect(errorOf(edit('{ param: approvedApps }', '{ param: approvedApps, fallback: [] }')).reason).toBe(
        'controls[1].check.allowedApps: unknown field "fallback"',
      );
      const text = edit('{ param: maxGuests }', '{ param: maxGuests, default: 3 }');
      const err = errorOf(text);
      expect(err.reason).toBe(
        'controls[0].check.value: unknown field "default" in a parameter reference (only "param" is allowed)',
      );
      expect(err.line).toBe(positionOf(text, 'default: 3 }').line);
    });

    it('a duplicate control id, at the second one', () => {
      const text = edit('id: TEST.OAUTH.1', 'id: TEST.GUESTS.1');
      const err = errorOf(text);
      expect(err.reason).toBe(
        `controls[1].id: duplicate control id "TEST.GUESTS.1" (first defined on line ${positionOf(text, 'TEST.GUESTS.1').line})`,
      );
      expect(err).toMatchObject(positionOf(text, 'TEST.GUESTS.1', 2));
    });

    it('a reference to an undeclared parameter', () => {
      const text = edit('{ param: maxGuests }', '{ param: maxGuest }');
      const err = errorOf(text);
      expect(err.reason).toBe(
        'controls[0].check.value.param: parameter "maxGuest" is not declared under parameters (did you mean "maxGuests"?)',
      );
      expect(err).toMatchObject(positionOf(text, 'maxGuest }'));
    });

    it('an operator that needs a value but has none', () => {
      const text = edit('      value: { param: maxGuests }\n', '');
      const err = errorOf(text);
      expect(err.reason).toBe('controls[0].check.op: operator "lte" needs a value');
      expect(err.line).toBe(positionOf(text, 'op: lte').line);
    });

    it('an operator that takes no value but has one', () => {
      const text = edit('op: lte', 'op: isTrue');
      const err = errorOf(text);
      expect(err.reason).toBe('controls[0].check.value: operator "isTrue" takes no value');
      expect(err.line).toBe(positionOf(text, 'value: { param').line);
    });

    it('a literal value of the wrong kind for the operator', () => {
      const text = edit('{ param: maxGuests }', "'3'");
      expect(errorOf(text).reason).toBe('controls[0].check.value: operator "lte" needs a number, got a string');
    });

    it('a parameter whose default does not fit how a control uses it', () => {
      const text = edit('default: 0', 'default: none');
      const err = errorOf(text);
      expect(err.reason).toBe(
        'parameters.maxGuests.default: must be a number because TEST.GUESTS.1 uses it with operator "lte", got a string',
      );
      expect(err.line).toBe(positionOf(text, 'default: none').line);
    });

    it('a control id that does not match ^[A-Z0-9][A-Z0-9._-]*$', () => {
      const text = edit('id: TEST.GUESTS.1', 'id: test-guests-1');
      const err = errorOf(text);
      expect(err.reason).toBe('controls[0].id: "test-guests-1" must match ^[A-Z0-9][A-Z0-9._-]*$');
      expect(err).toMatchObject(positionOf(text, 'test-guests-1'));
    });

    it('a missing required field, at the control that lacks it', () => {
      const text = edit('    rationale: Guests are outsiders.\n', '');
      const err = errorOf(text);
      expect(err.reason).toBe('controls[0]: missing required field "rationale"');
      expect(err.line).toBe(positionOf(text, 'id: TEST.GUESTS.1').line);
    });

    it('an invalid severity, area or provider', () => {
      expect(errorOf(edit('severity: medium', 'severity: urgent')).reason).toBe(
        'controls[0].severity: invalid value "urgent" (expected one of: critical, high, medium, low, info)',
      );
      expect(errorOf(edit('provider: slack', 'provider: teams')).reason).toBe(
        'provider: invalid value "teams" (expected one of: slack, microsoft365, google-workspace)',
      );
    });

    it('an oauth check filed under another area', () => {
      const text = edit('area: oauth', 'area: sharing');
      const err = errorOf(text);
      expect(err.reason).toBe('controls[1].area: a control with a oauth check must have area "oauth", not "sharing"');
      expect(err.line).toBe(positionOf(text, 'area: sharing', 2).line);
    });

    it('an oauth check that forbids nothing', () => {
      const text = edit("      forbiddenScopes: ['admin*']\n", '');
      expect(errorOf(text).reason).toBe(
        'controls[1].check: an oauth check needs forbiddenScopes or forbidSensitiveScopes: true',
      );
    });

    it('a scope list written as a single string', () => {
      expect(errorOf(edit("forbiddenScopes: ['admin*']", 'forbiddenScopes: admin*')).reason).toBe(
        'controls[1].check.forbiddenScopes: expected a list of strings or {param: <name>}, got a string',
      );
      expect(errorOf(edit("forbiddenScopes: ['admin*']", 'forbiddenScopes: [admin, 3]')).reason).toBe(
        'controls[1].check.forbiddenScopes[1]: expected a string, got a number',
      );
    });

    it('non-finite numbers, which YAML allows and JSON does not', () => {
      expect(errorOf(edit('default: 0', 'default: .inf')).reason).toBe(
        'parameters.maxGuests.default: expected a JSON value, got Infinity (numbers must be finite)',
      );
    });

    it('an empty file or a file that is not a mapping', () => {
      expect(errorOf('')).toMatchObject({ line: 1, column: 1, reason: 'baseline: expected a mapping, got null' });
      expect(errorOf('- a\n- b\n').reason).toBe('baseline: expected a mapping, got a list');
    });

    it('several documents in one file', () => {
      expect(errorOf(`${VALID}---\n${VALID}`).reason).toMatch(/^invalid YAML: Source contains multiple documents/);
    });
  });

  it('lists every problem in file order, the first one being the error position', () => {
    const text = edit('severity: critical', 'severity: severe').replace('op: lte', 'op: atMost');
    const err = errorOf(text);
    expect(err.issues).toEqual([
      { ...positionOf(text, 'atMost'), reason: expect.stringContaining('unknown operator "atMost"') },
      { ...positionOf(text, 'severe'), reason: expect.stringContaining('invalid value "severe"') },
    ]);
    expect(err).toMatchObject(positionOf(text, 'atMost'));
  });
});

describe('loadBaselineFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tollgate-baseline-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file and reports errors against its path', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, edit('op: lte', 'op: nope'));
    expect(() => loadBaselineFile(file)).toThrow(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  it('loads the shipped Slack preset', () => {
    const baseline = loadBaselineFile(path.join(SHIPPED_PRESETS_DIR, 'slack-locked-down.yaml'));
    expect(baseline.id).toBe('slack-locked-down');
    expect(baseline.provider).toBe('slack');
  });
});

describe('attestation checks', () => {
  const ATTESTED = `${VALID}  - id: TEST.ATTEST.1
    title: Anonymous meeting join is off
    area: sharing
    severity: high
    references: [CISA MS.TEAMS.1.2v1]
    rationale: No API shows it.
    remediation: Turn it off in the admin center.
    check:
      type: attestation
      statement: Anonymous users cannot start meetings.
`;

  it('accepts an attestation check, with or without a statement', () => {
    const b = parseBaseline(ATTESTED, FILE);
    expect(b.controls[2].check).toEqual({ type: 'attestation', statement: 'Anonymous users cannot start meetings.' });
    const bare = parseBaseline(ATTESTED.replace('      statement: Anonymous users cannot start meetings.\n', ''), FILE);
    expect(bare.controls[2].check).toEqual({ type: 'attestation' });
  });

  it('rejects a malformed attestation check with file:line and the reason', () => {
    const withField = ATTESTED.replace('      type: attestation\n', '      type: attestation\n      key: m365.teams.anonymous\n');
    const err = errorOf(withField);
    expect(err.reason).toBe('controls[2].check: unknown field "key"');
    expect(err).toMatchObject(positionOf(withField, 'key: m365.teams.anonymous'));
    expect(err.message).toMatch(new RegExp(`^baselines/test\\.yaml:${positionOf(withField, 'key: m365').line}:\\d+: `));

    const typo = ATTESTED.replace('      statement: Anonymous', '      statment: Anonymous');
    expect(errorOf(typo).reason).toBe('controls[2].check: unknown field "statment" (did you mean "statement"?)');
    expect(errorOf(typo).line).toBe(positionOf(typo, 'statment').line);

    const empty = ATTESTED.replace('statement: Anonymous users cannot start meetings.', "statement: ' '");
    const emptyErr = errorOf(empty);
    expect(emptyErr.reason).toMatch(/^controls\[2\]\.check\.statement: /);
    expect(emptyErr.line).toBe(positionOf(empty, "statement: ' '").line);

    const notText = ATTESTED.replace('statement: Anonymous users cannot start meetings.', 'statement: [a, b]');
    expect(errorOf(notText).reason).toMatch(/^controls\[2\]\.check\.statement: /);
  });
});
