import { grantFor, parseRoleMapping, roleMappingDigest, type RoleMappingEntry } from './role-mapping';

const EU = '3f0c9a52-6a1e-4d8b-9c7e-1b2a3c4d5e6f';
const UK = '7b1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const US = 'c0ffee00-1234-4abc-9def-0123456789ab';

describe('parseRoleMapping', () => {
  it('reads unscoped and scoped entries in order, ids in lower case and once each', () => {
    const { pairs, problems } = parseRoleMapping(` admins=admin, emea-secops=operator:${EU}| ${UK.toUpperCase()} |${EU},a=b:c=viewer:${US}`);
    expect(problems).toEqual([]);
    expect(pairs).toEqual([
      { group: 'admins', role: 'admin' },
      { group: 'emea-secops', role: 'operator', connectionIds: [EU, UK] },
      { group: 'a=b:c', role: 'viewer', connectionIds: [US] },
    ]);
    expect('connectionIds' in pairs[0]).toBe(false);
  });

  it.each([
    ['secops=superuser', /^"secops=superuser" is not group=role or group=role:<connection id>\|<connection id>… with role one of viewer, auditor, operator, approver, admin$/],
    [`secops=superuser:${EU}`, /^"secops=superuser:[^"]+" is not group=role or group=role:/],
    [`=operator:${EU}`, /^"=operator:[^"]+" is not group=role/],
    ['secops=operator:', /^"secops=operator:" lists no connection id after "operator:" \(write secops=operator for all connections\)$/],
    ['secops=operator: | ', /lists no connection id after "operator:"/],
    ['secops=operator:emea', /^"secops=operator:emea": "emea" is not a connection id \(a UUID, as GET \/api\/v1\/connections shows them\)$/],
    [`secops=operator:${EU}||${UK}`, /: "" is not a connection id/],
    [`secops=operator:${EU}|not-a-uuid|${EU.slice(0, -1)}`, /: "not-a-uuid", "3f0c9a52-6a1e-4d8b-9c7e-1b2a3c4d5e6" is not a connection id/],
  ])('refuses %j with a message that says what is wrong', (value, message) => {
    const { pairs, problems } = parseRoleMapping(value);
    expect(pairs).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe('grantFor: the strongest role wins, with the scope of the groups granting it', () => {
  const mapping: RoleMappingEntry[] = [
    { group: 'everyone', role: 'viewer' },
    { group: 'emea-ops', role: 'operator', connectionIds: [EU, UK] },
    { group: 'uk-ops', role: 'operator', connectionIds: [UK] },
    { group: 'us-ops', role: 'operator', connectionIds: [US] },
    { group: 'global-ops', role: 'operator' },
    { group: 'us-admins', role: 'admin', connectionIds: [US] },
  ];

  it('gives nothing to a person in no mapped group', () => {
    expect(grantFor(mapping, [])).toBeUndefined();
    expect(grantFor(mapping, ['marketing'])).toBeUndefined();
  });

  it('keeps an unscoped role unscoped, and a scoped one scoped', () => {
    expect(grantFor(mapping, ['everyone'])).toEqual({ role: 'viewer' });
    expect(grantFor(mapping, ['marketing', 'emea-ops'])).toEqual({ role: 'operator', connectionIds: [EU, UK] });
  });

  it('unites the connections of every group granting the winning role, each once', () => {
    expect(grantFor(mapping, ['emea-ops', 'uk-ops', 'us-ops'])).toEqual({ role: 'operator', connectionIds: [EU, UK, US] });
  });

  it('is unscoped when any group granting the winning role is', () => {
    expect(grantFor(mapping, ['emea-ops', 'global-ops'])).toEqual({ role: 'operator' });
    expect(grantFor(mapping, ['global-ops', 'us-ops'])).toEqual({ role: 'operator' });
  });

  it('ignores weaker roles, their scope or their lack of one', () => {
    // The unscoped viewer role of `everyone` does not widen the scoped operator.
    expect(grantFor(mapping, ['everyone', 'emea-ops'])).toEqual({ role: 'operator', connectionIds: [EU, UK] });
    // The unscoped operator role does not widen the scoped admin, nor add its connections.
    expect(grantFor(mapping, ['global-ops', 'emea-ops', 'us-admins'])).toEqual({ role: 'admin', connectionIds: [US] });
  });

  it('decides the same whatever order the groups come in', () => {
    expect(grantFor(mapping, ['us-admins', 'global-ops', 'everyone'])).toEqual(grantFor(mapping, ['everyone', 'global-ops', 'us-admins']));
  });
});

describe('roleMappingDigest', () => {
  it('changes with what the mapping grants, not with its spelling', () => {
    const digest = (value: string) => roleMappingDigest(parseRoleMapping(value).pairs);
    expect(digest(`a=admin,b=operator:${EU}`)).toBe(digest(` a = admin , b=operator: ${EU.toUpperCase()} `));
    expect(digest(`a=admin,b=operator:${EU}`)).not.toBe(digest(`a=admin,b=operator:${EU}|${UK}`));
    expect(digest(`a=admin,b=operator:${EU}`)).not.toBe(digest('a=admin,b=operator'));
    expect(digest('a=admin,b=operator')).not.toBe(digest('a=admin,b=approver'));
  });
});
