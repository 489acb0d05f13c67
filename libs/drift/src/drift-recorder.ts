import type { EntityManager } from 'typeorm';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { Finding } from '@tollgate/baseline';
import type { JsonValue, PostureDocument } from '@tollgate/connector-sdk';

/** One entry for the evidence ledger, appended in the same transaction as the change it records. */
export interface LedgerEntryInput {
  kind: string;
  data: Record<string, JsonValue>;
  occurredAt: Date;
}

/** The part of the evidence ledger the recorder needs; kept narrow so the recorder stays testable. */
export interface LedgerAppender {
  append(em: EntityManager, entries: LedgerEntryInput[]): Promise<unknown>;
}

/** An approved exception: drifts it matches are opened as `excepted` instead of `open`. */
export interface ActiveException {
  id: string;
  controlId: string;
  /** null: every resource of the control. */
  resourceKey: string | null;
}

export interface ApplyInput {
  connectionId: string;
  provider: string;
  baselineId: string;
  pollId: string;
  now: Date;
  document: PostureDocument;
  findings: Finding[];
  exceptions: ActiveException[];
  /** What the connection recorded after its previous successful poll. */
  previous: { snapshotId: string | null; findingsHash: string | null };
}

export interface OpenedDrift {
  id: string;
  controlId: string;
  resourceKey: string;
  severity: string;
  title: string;
  status: 'open' | 'excepted';
}

export interface ApplyResult {
  snapshotId: string;
  snapshotChanged: boolean;
  findingsHash: string;
  findingsChanged: boolean;
  opened: OpenedDrift[];
  changed: number;
  resolved: number;
}

interface ActiveDrift {
  id: string;
  control_id: string;
  resource_key: string;
  expected: JsonValue;
  observed: JsonValue;
  severity: string;
  title: string;
  status: 'open' | 'excepted';
  exception_id: string | null;
}

/**
 * Why a drift episode closed. `remediated`: a poll saw the tenant pass again. `baseline_changed`:
 * what the connection is held to changed (another baseline, other parameters, a control removed),
 * so the same tenant state no longer counts as drift; nobody fixed anything.
 */
export type DriftResolution = 'remediated' | 'baseline_changed';
export const DRIFT_RESOLUTIONS: readonly DriftResolution[] = ['remediated', 'baseline_changed'];

/** A change to what a connection is held to, applied in the caller's transaction. */
export interface BaselineChangeInput {
  connectionId: string;
  provider: string;
  /** The baseline in force after the change. */
  baselineId: string;
  /** The connection change that caused it, for the drift events and the ledger. */
  changeId: string;
  now: Date;
  /** The last stored snapshot evaluated against the baseline and parameters now in force. */
  findings: Finding[];
}

interface DriftEventRow {
  drift_id: string;
  kind: 'opened' | 'changed' | 'resolved';
  expected: JsonValue;
  observed: JsonValue;
  note: string | null;
  resolution?: DriftResolution | null;
}

interface Resolving {
  drift: ActiveDrift;
  note: string;
  resolution: DriftResolution;
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalize(value) ?? 'null').digest('hex');
}

const keyOf = (controlId: string, resourceKey: string) => `${controlId}\u0000${resourceKey}`;
const same = (a: unknown, b: unknown) => canonicalize(a) === canonicalize(b);

export function exceptionFor(exceptions: ActiveException[], controlId: string, resourceKey: string): ActiveException | undefined {
  return exceptions.find((e) => e.controlId === controlId && (e.resourceKey === null || e.resourceKey === resourceKey));
}

/**
 * Turns one poll's findings into drift episodes. Runs inside the caller's transaction (the poll
 * commits its snapshot, drifts, ledger entries and bookkeeping together or not at all) and knows
 * nothing of any provider. An unchanged poll costs one snapshot row update; only changed findings
 * touch drifts.
 */
export class DriftRecorder {
  constructor(private readonly ledger: LedgerAppender) {}

  async apply(em: EntityManager, input: ApplyInput): Promise<ApplyResult> {
    const { snapshotId, changed: snapshotChanged } = await this.recordSnapshot(em, input);
    const findingsHash = contentHash(input.findings);
    const result: ApplyResult = {
      snapshotId,
      snapshotChanged,
      findingsHash,
      findingsChanged: findingsHash !== input.previous.findingsHash,
      opened: [],
      changed: 0,
      resolved: 0,
    };
    if (!result.findingsChanged) return result;
    Object.assign(result, await this.applyFindings(em, input));
    return result;
  }

  private async recordSnapshot(em: EntityManager, input: ApplyInput): Promise<{ snapshotId: string; changed: boolean }> {
    const hash = contentHash(input.document);
    if (input.previous.snapshotId) {
      const touched: [unknown[], number] = await em.query(
        `UPDATE snapshots SET last_seen_at = $3 WHERE id = $1 AND content_hash = $2`,
        [input.previous.snapshotId, hash, input.now],
      );
      if (touched[1] === 1) return { snapshotId: input.previous.snapshotId, changed: false };
    }
    const [row]: { id: string }[] = await em.query(
      `INSERT INTO snapshots (connection_id, content_hash, document, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $4) RETURNING id`,
      [input.connectionId, hash, JSON.stringify(input.document), input.now],
    );
    return { snapshotId: row.id, changed: true };
  }

  private async applyFindings(em: EntityManager, input: ApplyInput): Promise<Pick<ApplyResult, 'opened' | 'changed' | 'resolved'>> {
    const active: ActiveDrift[] = await em.query(
      `SELECT id, control_id, resource_key, expected, observed, severity, title, status, exception_id FROM drifts
       WHERE connection_id = $1 AND status <> 'resolved'`,
      [input.connectionId],
    );
    const activeByKey = new Map(active.map((d) => [keyOf(d.control_id, d.resource_key), d]));

    const failing = new Map<string, Finding>();
    for (const f of input.findings) if (f.status === 'fail') failing.set(keyOf(f.controlId, f.resourceKey), f);

    const toOpen: Finding[] = [];
    const toUpdate: { drift: ActiveDrift; f: Finding; changed: boolean }[] = [];
    for (const [key, f] of failing) {
      const drift = activeByKey.get(key);
      if (!drift) toOpen.push(f);
      else {
        const changed = !same(drift.observed, f.observed) || !same(drift.expected, f.expected) || drift.severity !== f.severity || drift.title !== f.title;
        toUpdate.push({ drift, f, changed });
      }
    }
    const { toResolve, stale } = passing(activeByKey, input.findings, failing, 'passes again', 'remediated');

    const events: DriftEventRow[] = [];
    const ledger: LedgerEntryInput[] = [];
    const record = recorder(input, { pollId: input.pollId }, events, ledger);

    const opened: OpenedDrift[] = [];
    if (toOpen.length > 0) {
      const rows = toOpen.map((f) => {
        const exception = exceptionFor(input.exceptions, f.controlId, f.resourceKey);
        return {
          control_id: f.controlId,
          title: f.title,
          references: f.references,
          area: f.area,
          severity: f.severity,
          resource_key: f.resourceKey,
          status: exception ? 'excepted' : 'open',
          exception_id: exception?.id ?? null,
          expected: f.expected,
          observed: f.observed,
        };
      });
      const inserted: { id: string; control_id: string; resource_key: string; severity: string; status: 'open' | 'excepted'; exception_id: string | null }[] =
        await em.query(
          `INSERT INTO drifts (connection_id, provider, baseline_id, control_id, title, "references", area, severity,
                               resource_key, status, exception_id, expected, observed, opened_at, last_seen_at)
           SELECT $1, $2, $3, x.control_id, x.title, x.references, x.area, x.severity, x.resource_key, x.status,
                  x.exception_id, x.expected, x.observed, $4, $4
           FROM jsonb_to_recordset($5::jsonb) AS x(control_id text, title text, "references" jsonb, area text,
                severity text, resource_key text, status text, exception_id uuid, expected jsonb, observed jsonb)
           RETURNING id, control_id, resource_key, severity, status, exception_id`,
          [input.connectionId, input.provider, input.baselineId, input.now, JSON.stringify(rows)],
        );
      for (const row of inserted) {
        const f = failing.get(keyOf(row.control_id, row.resource_key))!;
        record('opened', row, f.expected, f.observed, row.exception_id ? `${f.message} (under exception ${row.exception_id})` : f.message);
        opened.push({ id: row.id, controlId: row.control_id, resourceKey: row.resource_key, severity: row.severity, title: f.title, status: row.status });
      }
    }
    if (toUpdate.length > 0) {
      const rows = toUpdate.map(({ drift, f }) => ({ id: drift.id, expected: f.expected, observed: f.observed, severity: f.severity, title: f.title }));
      await em.query(
        `UPDATE drifts d SET expected = x.expected, observed = x.observed, severity = x.severity, title = x.title,
                last_seen_at = $1, still_failing = true
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, expected jsonb, observed jsonb, severity text, title text)
         WHERE d.id = x.id`,
        [input.now, JSON.stringify(rows)],
      );
      for (const { drift, f, changed } of toUpdate) {
        if (changed) record('changed', { ...drift, severity: f.severity }, f.expected, f.observed, f.message);
      }
    }
    await resolveDrifts(em, input.now, toResolve, record);
    if (stale.length > 0) {
      await em.query(`UPDATE drifts SET still_failing = false WHERE id = ANY($1::uuid[])`, [stale]);
    }
    await insertDriftEvents(em, input.now, input.pollId, events);
    await this.ledger.append(em, ledger);
    return { opened, changed: toUpdate.filter((u) => u.changed).length, resolved: toResolve.length };
  }

  /**
   * Closes, as `baseline_changed`, the drifts that pass once what the connection is held to has
   * changed, in the transaction that applies the change. Deciding it here, from the last stored
   * snapshot, is what makes the reason certain: the tenant's state is the one the drifts were seen
   * in, so only the change can have closed them. Left to the next poll, a closure could not be told
   * apart from a fix made meanwhile, and would be recorded as remediated. Nothing is opened here:
   * the change makes the next poll due at once, and that poll opens what the new rules fail (with
   * its webhooks and metrics) and finds nothing left to resolve. Returns how many were closed.
   */
  async closeForBaselineChange(em: EntityManager, input: BaselineChangeInput): Promise<number> {
    const active: ActiveDrift[] = await em.query(
      `SELECT id, control_id, resource_key, expected, observed, severity, title, status, exception_id FROM drifts
       WHERE connection_id = $1 AND status <> 'resolved' FOR UPDATE`,
      [input.connectionId],
    );
    if (active.length === 0) return 0;
    const failing = new Map(input.findings.filter((f) => f.status === 'fail').map((f) => [keyOf(f.controlId, f.resourceKey), f]));
    const { toResolve } = passing(
      new Map(active.map((d) => [keyOf(d.control_id, d.resource_key), d])),
      input.findings,
      failing,
      `passes under the changed baseline or parameters (change ${input.changeId})`,
      'baseline_changed',
    );
    const events: DriftEventRow[] = [];
    const ledger: LedgerEntryInput[] = [];
    await resolveDrifts(em, input.now, toResolve, recorder(input, { changeId: input.changeId }, events, ledger));
    await insertDriftEvents(em, input.now, null, events);
    await this.ledger.append(em, ledger);
    return toResolve.length;
  }
}

type RecordTransition = (
  kind: DriftEventRow['kind'],
  drift: { id: string; control_id: string; resource_key: string; severity: string; status: string; exception_id: string | null },
  expected: JsonValue,
  observed: JsonValue,
  note: string | null,
  resolution?: DriftResolution,
) => void;

/** Collects a drift transition as a drift event and a ledger entry; `cause` says which poll or change made it. */
function recorder(
  input: { connectionId: string; provider: string; baselineId: string; now: Date },
  cause: { pollId: string } | { changeId: string },
  events: DriftEventRow[],
  ledger: LedgerEntryInput[],
): RecordTransition {
  return (kind, drift, expected, observed, note, resolution) => {
    events.push({ drift_id: drift.id, kind, expected, observed, note, resolution: resolution ?? null });
    ledger.push({
      kind: `drift.${kind}`,
      occurredAt: input.now,
      data: {
        driftId: drift.id,
        connectionId: input.connectionId,
        provider: input.provider,
        baselineId: input.baselineId,
        controlId: drift.control_id,
        resourceKey: drift.resource_key,
        severity: drift.severity,
        status: drift.status,
        exceptionId: drift.exception_id,
        expected,
        observed,
        ...(resolution ? { resolution } : {}),
        ...cause,
      },
    });
  };
}

/**
 * Active drifts that no longer fail: those of a control gone from the baseline (always
 * `baseline_changed`) and those of a control that was evaluated and passed (`passed`). A control
 * that only evaluated to unknown tells nothing: its drifts stay, `stale`.
 */
function passing(
  active: Map<string, ActiveDrift>,
  findings: Finding[],
  failing: Map<string, Finding>,
  passedNote: string,
  passed: DriftResolution,
): { toResolve: Resolving[]; stale: string[] } {
  const evaluatedControls = new Set<string>();
  for (const f of findings) if (f.status !== 'unknown') evaluatedControls.add(f.controlId);
  const controlsInBaseline = new Set(findings.map((f) => f.controlId));
  const toResolve: Resolving[] = [];
  const stale: string[] = [];
  for (const [key, drift] of active) {
    if (failing.has(key)) continue;
    if (!controlsInBaseline.has(drift.control_id)) toResolve.push({ drift, note: 'control no longer in the baseline', resolution: 'baseline_changed' });
    else if (evaluatedControls.has(drift.control_id)) toResolve.push({ drift, note: passedNote, resolution: passed });
    else stale.push(drift.id);
  }
  return { toResolve, stale };
}

async function resolveDrifts(em: EntityManager, at: Date, toResolve: Resolving[], record: RecordTransition): Promise<void> {
  if (toResolve.length === 0) return;
  await em.query(
    `UPDATE drifts d SET status = 'resolved', resolution = x.resolution, resolved_at = $1, last_seen_at = $1, still_failing = false
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, resolution text) WHERE d.id = x.id`,
    [at, JSON.stringify(toResolve.map((r) => ({ id: r.drift.id, resolution: r.resolution })))],
  );
  for (const { drift, note, resolution } of toResolve) record('resolved', { ...drift, status: 'resolved' }, null, null, note, resolution);
}

/** Batch insert of drift events; shared with the exception lifecycle, which also moves drifts. */
export async function insertDriftEvents(
  em: EntityManager,
  at: Date,
  pollId: string | null,
  events: { drift_id: string; kind: string; expected: JsonValue; observed: JsonValue; note: string | null; resolution?: DriftResolution | null }[],
): Promise<void> {
  if (events.length === 0) return;
  await em.query(
    `INSERT INTO drift_events (drift_id, kind, occurred_at, poll_id, expected, observed, note, resolution)
     SELECT x.drift_id, x.kind, $1, $2, x.expected, x.observed, x.note, x.resolution
     FROM jsonb_to_recordset($3::jsonb) AS x(drift_id uuid, kind text, expected jsonb, observed jsonb, note text, resolution text)`,
    [at, pollId, JSON.stringify(events)],
  );
}
