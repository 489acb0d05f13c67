import {
  byCodeUnit,
  NO_REGION,
  type JsonValue,
  type OAuthGrant,
  type PostureDocument,
  type PostureGap,
  type ResidencyObservation,
  type SettingObservation,
} from '@tollgate/connector-sdk';
import {
  GOOGLE_SETTING_SCHEMAS,
  settingApp,
  type GoogleActivity,
  type GooglePolicy,
  type GoogleSettingType,
  type GoogleUserSummary,
  type GoogleUserToken,
} from './google-api.schemas';
import type { GoogleSettingKey } from './google.catalog';

/** An org unit from Directory orgunits.list, ids without Google's `id:` prefix. */
export interface GoogleOrgUnit {
  id: string;
  parentId?: string;
}

export interface GoogleUserTokens {
  user: GoogleUserSummary;
  tokens: GoogleUserToken[];
}

/** What the fetchers read. An absent setting type or token list could not be read; a gap says why. */
export interface GoogleRawPosture {
  /** The customer as configured: `my_customer` or an id such as `C01abc234`. */
  customer: string;
  users: GoogleUserSummary[];
  /** Policies by setting type, values already checked against their schema. */
  policies: Partial<Record<GoogleSettingType, GooglePolicy[]>>;
  userTokens?: GoogleUserTokens[];
  /** The org unit tree; absent when it could not be read (then each org unit inherits only customer-wide policies). */
  orgUnits?: GoogleOrgUnit[];
  gaps: PostureGap[];
}

type Value = Record<string, unknown>;

/**
 * Defaults for what the Policy API leaves out. Google documents that a missing setting takes a default
 * ("Default field values", docs.cloud.google.com/identity/docs/concepts/supported-policy-api-settings)
 * and reports most defaults as SYSTEM policies anyway, so only the data regions are filled in here:
 * without a data region policy Google stores data wherever it likes ("No preference",
 * support.google.com/a/answer/7630496) and processing is not limited to a region (processing is
 * pinned only when an admin includes it in a data region policy, same article). Every other absent
 * setting stays absent and evaluates to unknown: we could not confirm Google's default for it.
 */
const DEFAULT_LIMIT_PROCESSING = false;

// ---------------------------------------------------------------------------------------------
// reduction: the value Google applies to an org unit or group, from the policies that reach it

/**
 * How Google reduces several policies of one setting to the value a target gets ("Policy API
 * concepts", docs.cloud.google.com/identity/docs/concepts/policy-api-concepts): `Max` takes every
 * field from the applicable policy with the greatest sortOrder; `Merge` takes each field from the
 * policy with the greatest sortOrder that sets it, so a child org unit that sets some fields
 * inherits the rest. Types the page lists are marked; the others are not on its list, and are
 * merged, the reading that never invents a value a parent did not set.
 */
const REDUCERS: Partial<Record<GoogleSettingType, 'Max' | 'Merge'>> = {
  'settings/drive_and_docs.external_sharing': 'Max', // listed
  'settings/chat.chat_file_sharing': 'Max', // listed
  'settings/chat.external_chat_restriction': 'Merge', // listed
  'settings/api_controls.unconfigured_third_party_apps': 'Merge', // listed
  'settings/groups_for_business.groups_sharing': 'Merge',
  'settings/data_regions.data_at_rest_region': 'Merge',
  'settings/data_regions.data_processing_region': 'Merge',
  'settings/drive_and_docs.service_status': 'Merge',
  'settings/chat.service_status': 'Merge',
  'settings/groups_for_business.service_status': 'Merge',
};

/**
 * The app whose `service_status` switches a setting off with the app: `settings/<app>.service_status`
 * when Tollgate reads it. An org unit where the app is off fails none of its controls, as ScubaGoggles
 * treats it (its `<App>Enabled(OU)` guard). Settings of apps without a status read (data regions, API
 * controls, Marketplace, security) apply wherever they are set, as in ScubaGoggles.
 */
function serviceOf(type: GoogleSettingType): GoogleSettingType | undefined {
  if (type.endsWith('.service_status')) return undefined;
  const status = `settings/${settingApp(type)}.service_status`;
  return status in GOOGLE_SETTING_SCHEMAS ? (status as GoogleSettingType) : undefined;
}

const stripOrgUnit = (name: string) => name.replace(/^orgUnits\//, '').replace(/^id:/, '');
const stripGroup = (name: string) => name.replace(/^groups\//, '');

/**
 * Where each policy applies. A policy without `policyQuery.orgUnit` (and without a group) is
 * customer-wide: it reaches every org unit, like one on the root.
 */
class OrgTree {
  private readonly parent = new Map<string, string | undefined>();
  readonly root: string | undefined;

  constructor(orgUnits: readonly GoogleOrgUnit[] | undefined) {
    for (const ou of orgUnits ?? []) this.parent.set(ou.id, ou.parentId);
    this.root = (orgUnits ?? []).find((ou) => !ou.parentId)?.id;
  }

  /** The org unit and its ancestors; without a tree, the org unit alone. */
  chain(orgUnit: string): Set<string> {
    const chain = new Set<string>();
    for (let at: string | undefined = orgUnit; at !== undefined && !chain.has(at); at = this.parent.get(at)) chain.add(at);
    return chain;
  }

  /** Resource key of customer-wide values: the root org unit when known. */
  get customerKey(): string {
    return this.root ? `orgUnit:${this.root}` : 'tenant';
  }
}

interface Target {
  resourceKey: string;
  value: Value;
}

function reduce(policies: readonly GooglePolicy[], reducer: 'Max' | 'Merge'): Value {
  const ordered = [...policies].sort((a, b) => (a.policyQuery.sortOrder ?? 0) - (b.policyQuery.sortOrder ?? 0));
  if (reducer === 'Max') return { ...(ordered.at(-1)?.setting.value ?? {}) };
  const out: Value = {};
  // Ascending sortOrder: a field set by a later (greater) policy overwrites the earlier one.
  for (const p of ordered) for (const [field, v] of Object.entries(p.setting.value)) if (v !== undefined && v !== null) out[field] = v;
  return out;
}

/**
 * The effective value of one setting type for each org unit that has a policy of its own (and for
 * the customer as a whole, at the root), and for each group with a group policy. A group policy
 * reaches the group's members wherever their org unit is, and Google gives it a greater sortOrder
 * than org unit policies; Tollgate reports it once as `group:<id>`, reduced over the customer-wide
 * and root policies, rather than once per member (it reads no group memberships).
 */
function targets(raw: GoogleRawPosture, tree: OrgTree, type: GoogleSettingType): Target[] | undefined {
  const policies = raw.policies[type];
  if (!policies) return undefined;
  const reducer = REDUCERS[type] ?? 'Merge';
  const customerWide = policies.filter((p) => !p.policyQuery.orgUnit && !p.policyQuery.group);
  const ouPolicies = policies.filter((p) => p.policyQuery.orgUnit && !p.policyQuery.group);
  const reaching = (orgUnit: string) => {
    const chain = tree.chain(orgUnit);
    return [...customerWide, ...ouPolicies.filter((p) => chain.has(stripOrgUnit(p.policyQuery.orgUnit!)))];
  };
  const out = new Map<string, Value>();
  const rootPolicies = tree.root ? reaching(tree.root) : customerWide;
  // The root (or, without a tree, the customer) is always a target once known: where nothing reaches
  // it, the reduced value is empty, which for data regions means no region.
  if (tree.root || rootPolicies.length > 0 || policies.length === 0) out.set(tree.customerKey, reduce(rootPolicies, reducer));
  for (const orgUnit of new Set(ouPolicies.map((p) => stripOrgUnit(p.policyQuery.orgUnit!)))) {
    out.set(`orgUnit:${orgUnit}`, reduce(reaching(orgUnit), reducer));
  }
  const groups = new Map<string, GooglePolicy[]>();
  for (const p of policies) {
    if (!p.policyQuery.group) continue;
    const g = stripGroup(p.policyQuery.group);
    groups.set(g, [...(groups.get(g) ?? []), p]);
  }
  for (const [group, own] of groups) out.set(`group:${group}`, reduce([...rootPolicies, ...own], reducer));
  return [...out].map(([resourceKey, value]) => ({ resourceKey, value }));
}

/** Whether the app is switched off for a resource (its effective `serviceState` is DISABLED). */
function serviceOff(raw: GoogleRawPosture, tree: OrgTree, type: GoogleSettingType): (resourceKey: string) => boolean {
  const service = serviceOf(type);
  const states = service ? targets(raw, tree, service) : undefined;
  if (!states) return () => false;
  const byKey = new Map(states.map((t) => [t.resourceKey, t.value.serviceState]));
  const customer = byKey.get(tree.customerKey);
  return (resourceKey) => {
    if (byKey.has(resourceKey)) return byKey.get(resourceKey) === 'DISABLED';
    // An org unit without a status policy of its own takes its nearest ancestor's.
    if (resourceKey.startsWith('orgUnit:')) {
      for (const ou of tree.chain(resourceKey.slice('orgUnit:'.length))) {
        if (byKey.has(`orgUnit:${ou}`)) return byKey.get(`orgUnit:${ou}`) === 'DISABLED';
      }
    }
    return customer === 'DISABLED';
  };
}

function observed(key: GoogleSettingKey, resourceKey: string, value: JsonValue): SettingObservation {
  return { key, resourceKey, value, source: 'observed' };
}

function isBool(v: unknown): v is boolean {
  return typeof v === 'boolean';
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/** A value that depends on the sharing mode: read from the field of that mode, or fixed by it. */
function byMode(
  mode: unknown,
  value: Value,
  fields: { ALLOWED: string | boolean; ALLOWLISTED_DOMAINS: string | boolean; DISALLOWED: string | boolean },
): boolean | undefined {
  if (mode !== 'ALLOWED' && mode !== 'ALLOWLISTED_DOMAINS' && mode !== 'DISALLOWED') return undefined;
  const field = fields[mode];
  if (typeof field === 'boolean') return field;
  const v = value[field];
  return isBool(v) ? v : undefined;
}

function driveSettings(resourceKey: string, v: Value): SettingObservation[] {
  const out: SettingObservation[] = [];
  const mode = v.externalSharingMode;
  if (isText(mode)) out.push(observed('google-workspace.drive.external_sharing_mode', resourceKey, mode));
  const effective: [GoogleSettingKey, boolean | undefined][] = [
    [
      'google-workspace.drive.receive_external_files',
      byMode(mode, v, {
        ALLOWED: true,
        ALLOWLISTED_DOMAINS: 'allowReceivingFilesOutsideAllowlistedDomains',
        DISALLOWED: 'allowReceivingExternalFiles',
      }),
    ],
    [
      'google-workspace.drive.warn_on_external_sharing',
      // Nothing leaves the organization when sharing is off, so there is nothing to warn about.
      byMode(mode, v, { ALLOWED: 'warnForExternalSharing', ALLOWLISTED_DOMAINS: 'warnForSharingOutsideAllowlistedDomains', DISALLOWED: true }),
    ],
    [
      'google-workspace.drive.allow_non_google_invites',
      byMode(mode, v, { ALLOWED: 'allowNonGoogleInvites', ALLOWLISTED_DOMAINS: 'allowNonGoogleInvitesInAllowlistedDomains', DISALLOWED: false }),
    ],
    [
      'google-workspace.drive.allow_publishing_files',
      // Google applies publishing only "when sharing outside of your organization is allowed".
      byMode(mode, v, { ALLOWED: 'allowPublishingFiles', ALLOWLISTED_DOMAINS: 'allowPublishingFiles', DISALLOWED: false }),
    ],
  ];
  for (const [key, value] of effective) if (value !== undefined) out.push(observed(key, resourceKey, value));
  if (isText(v.accessCheckerSuggestions)) {
    out.push(observed('google-workspace.drive.access_checker_suggestions', resourceKey, v.accessCheckerSuggestions));
  }
  if (isText(v.allowedPartiesForDistributingContent)) {
    out.push(observed('google-workspace.drive.distribute_content_externally', resourceKey, v.allowedPartiesForDistributingContent));
  }
  return out;
}

function externalChat(resourceKey: string, v: Value): SettingObservation[] {
  if (v.allowExternalChat === false) return [observed('google-workspace.chat.external_chat', resourceKey, 'DISABLED')];
  if (v.allowExternalChat === true && isText(v.externalChatRestriction)) {
    return [observed('google-workspace.chat.external_chat', resourceKey, v.externalChatRestriction)];
  }
  return [];
}

/**
 * One field per key. A field no policy reaching the target sets takes Google's documented default
 * ("Default field values" of the Policy API, as ScubaGoggles transcribes them in policy_api.py
 * `_defaults`), reported with `source: 'default'`; a field without a documented default stays absent.
 */
function fieldSettings(resourceKey: string, v: Value, fields: FieldSpec[]): SettingObservation[] {
  const out: SettingObservation[] = [];
  for (const [field, key, fallback] of fields) {
    const value = v[field];
    if (isText(value) || isBool(value)) out.push(observed(key, resourceKey, value));
    else if (fallback !== undefined) out.push({ key, resourceKey, value: fallback, source: 'default' });
  }
  return out;
}

type FieldSpec = [field: string, key: GoogleSettingKey, documentedDefault?: JsonValue];

/** A status of its own (not the guard of other settings): ENABLED or DISABLED, as Google names it. */
function serviceState(key: GoogleSettingKey): (r: string, v: Value) => SettingObservation[] {
  return (r, v) => fieldSettings(r, v, [['serviceState', key]]);
}

/**
 * Drive for desktop on devices the organization has not approved: on (allowDriveForDesktop) and not
 * restricted to authorized devices, the reading of ScubaGoggles' GWS.DRIVEDOCS.5.1.
 */
function driveForDesktop(resourceKey: string, v: Value): SettingObservation[] {
  const key = 'google-workspace.drive.desktop_on_unapproved_devices';
  if (v.allowDriveForDesktop === false) return [observed(key, resourceKey, false)];
  if (v.allowDriveForDesktop === true && isBool(v.restrictToAuthorizedDevices)) {
    return [observed(key, resourceKey, !v.restrictToAuthorizedDevices)];
  }
  return [];
}

const SETTING_MAPPERS: Partial<Record<GoogleSettingType, (resourceKey: string, v: Value) => SettingObservation[]>> = {
  'settings/drive_and_docs.external_sharing': driveSettings,
  'settings/chat.external_chat_restriction': externalChat,
  'settings/chat.chat_file_sharing': (r, v) =>
    fieldSettings(r, v, [['externalFileSharing', 'google-workspace.chat.external_file_sharing']]),
  'settings/groups_for_business.groups_sharing': (r, v) =>
    fieldSettings(r, v, [
      ['collaborationCapability', 'google-workspace.groups.collaboration_capability', 'DOMAIN_USERS_ONLY'],
      ['ownersCanAllowExternalMembers', 'google-workspace.groups.owners_can_allow_external_members', false],
      ['ownersCanAllowIncomingMailFromPublic', 'google-workspace.groups.owners_can_allow_incoming_mail_from_public', true],
      ['createGroupsAccessLevel', 'google-workspace.groups.create_groups_access_level', 'USERS_IN_DOMAIN'],
      ['viewTopicsDefaultAccessLevel', 'google-workspace.groups.view_topics_default_access_level', 'DOMAIN_USERS'],
      ['ownersCanHideGroups', 'google-workspace.groups.owners_can_hide_groups', false],
      ['newGroupsAreHidden', 'google-workspace.groups.new_groups_are_hidden', false],
    ]),
  'settings/api_controls.unconfigured_third_party_apps': (r, v) =>
    fieldSettings(r, v, [['accessLevel', 'google-workspace.apps.unconfigured_third_party_apps']]),
  'settings/data_regions.data_processing_region': (r, v) =>
    fieldSettings(r, v, [['limitToStorageRegion', 'google-workspace.residency.limit_processing_to_storage_region']]),
  // The settings below, with the fields ScubaGoggles' Rego reads for the SCuBA policy each key answers.
  // Defaults only where Google documents one (ScubaGoggles policy_api.py `_defaults`, first block).
  'settings/drive_and_docs.general_access_default': (r, v) =>
    fieldSettings(r, v, [['defaultFileAccess', 'google-workspace.drive.default_file_access']]),
  'settings/drive_and_docs.external_file_warning': (r, v) =>
    fieldSettings(r, v, [['highlightingEnabled', 'google-workspace.drive.highlight_external_files']]),
  'settings/drive_and_docs.shared_drive_creation': (r, v) =>
    fieldSettings(r, v, [
      ['allowManagersToOverrideSettings', 'google-workspace.drive.shared_drive_managers_override'],
      ['allowNonMemberAccess', 'google-workspace.drive.shared_drive_non_member_access'],
    ]),
  'settings/drive_and_docs.file_security_update': (r, v) =>
    fieldSettings(r, v, [
      ['securityUpdate', 'google-workspace.drive.file_security_update'],
      ['allowUsersToManageUpdate', 'google-workspace.drive.users_manage_security_update'],
    ]),
  'settings/drive_and_docs.drive_sdk': (r, v) =>
    fieldSettings(r, v, [['enableDriveSdkApiAccess', 'google-workspace.drive.drive_sdk_api_access', true]]),
  'settings/drive_and_docs.drive_for_desktop': driveForDesktop,
  'settings/chat.chat_history': (r, v) =>
    fieldSettings(r, v, [
      ['historyOnByDefault', 'google-workspace.chat.history_on_by_default', false],
      ['allowUserModification', 'google-workspace.chat.users_change_history', true],
    ]),
  'settings/chat.space_history': (r, v) => fieldSettings(r, v, [['historyState', 'google-workspace.chat.space_history']]),
  'settings/calendar.primary_calendar_max_allowed_external_sharing': (r, v) =>
    fieldSettings(r, v, [['maxAllowedExternalSharing', 'google-workspace.calendar.primary_external_sharing', 'EXTERNAL_FREE_BUSY_ONLY']]),
  'settings/calendar.secondary_calendar_max_allowed_external_sharing': (r, v) =>
    fieldSettings(r, v, [
      ['maxAllowedExternalSharing', 'google-workspace.calendar.secondary_external_sharing', 'EXTERNAL_ALL_INFO_READ_ONLY'],
    ]),
  'settings/calendar.external_invitations': (r, v) =>
    fieldSettings(r, v, [['warnOnInvite', 'google-workspace.calendar.warn_on_external_invitations', true]]),
  'settings/calendar.interoperability': (r, v) =>
    fieldSettings(r, v, [['enableInteroperability', 'google-workspace.calendar.exchange_interoperability']]),
  'settings/meet.meet_joining': (r, v) => fieldSettings(r, v, [['allowedAudience', 'google-workspace.meet.join_without_asking']]),
  'settings/meet.safety_access': (r, v) =>
    fieldSettings(r, v, [['meetingsAllowedToJoin', 'google-workspace.meet.meetings_users_can_join']]),
  'settings/meet.safety_external_participants': (r, v) =>
    fieldSettings(r, v, [['enableExternalLabel', 'google-workspace.meet.label_external_participants']]),
  'settings/sites.service_status': serviceState('google-workspace.sites.service_state'),
  'settings/gmail.auto_forwarding': (r, v) =>
    fieldSettings(r, v, [['enableAutoForwarding', 'google-workspace.gmail.auto_forwarding', true]]),
  'settings/gmail.per_user_outbound_gateway': (r, v) =>
    fieldSettings(r, v, [['allowUsersToUseExternalSmtpServers', 'google-workspace.gmail.per_user_outbound_gateways']]),
  'settings/classroom.class_membership': (r, v) =>
    fieldSettings(r, v, [
      ['whoCanJoinClasses', 'google-workspace.classroom.who_can_join_classes'],
      ['whichClassesCanUsersJoin', 'google-workspace.classroom.which_classes_users_can_join'],
    ]),
  'settings/classroom.api_data_access': (r, v) =>
    fieldSettings(r, v, [['enableApiAccess', 'google-workspace.classroom.api_data_access']]),
  'settings/access_approval.axa_user_scoping': (r, v) =>
    fieldSettings(r, v, [['requiresCustomerApproval', 'google-workspace.assured.access_approvals']]),
  'settings/access_management.user_scoping': (r, v) =>
    fieldSettings(r, v, [['accessManagementRegime', 'google-workspace.assured.access_management_regime']]),
  'settings/api_controls.internal_apps': (r, v) =>
    fieldSettings(r, v, [['trustInternalApps', 'google-workspace.apps.trust_internal_apps']]),
  'settings/security.less_secure_apps': (r, v) =>
    fieldSettings(r, v, [['allowLessSecureApps', 'google-workspace.apps.less_secure_apps', false]]),
  'settings/workspace_marketplace.apps_access_options': (r, v) =>
    fieldSettings(r, v, [
      ['accessLevel', 'google-workspace.apps.marketplace_access', 'ALLOW_ALL'],
      ['allowAllInternalApps', 'google-workspace.apps.marketplace_all_internal_apps', false],
    ]),
  'settings/enterprise_service_restrictions.service_status': serviceState(
    'google-workspace.services.restrict_services_without_individual_control',
  ),
  'settings/early_access_apps.service_status': serviceState('google-workspace.services.early_access_apps'),
};

function normalizeSettings(raw: GoogleRawPosture, tree: OrgTree): SettingObservation[] {
  const out: SettingObservation[] = [];
  for (const [type, map] of Object.entries(SETTING_MAPPERS) as [GoogleSettingType, (r: string, v: Value) => SettingObservation[]][]) {
    const off = serviceOff(raw, tree, type);
    for (const { resourceKey, value } of targets(raw, tree, type) ?? []) {
      // The app is off there: nothing of it can be shared, so its sharing settings do not apply.
      if (off(resourceKey)) continue;
      out.push(...map(resourceKey, value));
    }
  }
  const processing = 'settings/data_regions.data_processing_region';
  if (raw.policies[processing] && !out.some((s) => s.key === 'google-workspace.residency.limit_processing_to_storage_region')) {
    out.push({
      key: 'google-workspace.residency.limit_processing_to_storage_region',
      resourceKey: tree.customerKey,
      value: DEFAULT_LIMIT_PROCESSING,
      source: 'default',
    });
  }
  return out.sort((a, b) => (a.key === b.key ? byCodeUnit(a.resourceKey, b.resourceKey) : byCodeUnit(a.key, b.key)));
}

/** Google's region names, with "no preference" as ANY. */
function regionName(region: unknown): string | undefined {
  if (region === 'ANY_REGION' || region === 'REGION_UNSPECIFIED') return NO_REGION;
  return isText(region) ? region.toUpperCase() : undefined;
}

/**
 * Data at rest per org unit (and group) with a data region policy, and for the customer at the
 * root. Where no data region policy reaches, Google stores data wherever it likes: NO_REGION.
 */
function normalizeResidency(raw: GoogleRawPosture, tree: OrgTree): ResidencyObservation[] {
  const found = targets(raw, tree, 'settings/data_regions.data_at_rest_region');
  if (!found) return [];
  const out = found.map(({ resourceKey, value }) => ({ resourceKey, region: regionName(value.region) ?? NO_REGION, source: 'observed' as const }));
  return out.sort((a, b) => byCodeUnit(a.resourceKey, b.resourceKey));
}

function normalizeGrants(raw: GoogleRawPosture): OAuthGrant[] {
  const grants: OAuthGrant[] = [];
  for (const { user, tokens } of raw.userTokens ?? []) {
    const byClient = new Map<string, { appName: string; scopes: Set<string> }>();
    for (const token of tokens) {
      const entry = byClient.get(token.clientId) ?? { appName: token.displayText || token.clientId, scopes: new Set<string>() };
      for (const scope of token.scopes) if (scope) entry.scopes.add(scope);
      byClient.set(token.clientId, entry);
    }
    for (const [clientId, entry] of byClient) {
      grants.push({
        appId: clientId,
        appName: entry.appName,
        scopes: [...entry.scopes].sort(),
        grantType: 'user',
        principal: user.primaryEmail,
      });
    }
  }
  return sortGrants(grants);
}

/**
 * One order for every grant list, whichever pass built it: an unchanged tenant must give the same
 * document (and content hash) from a full read as from replayed events.
 */
function sortGrants(grants: OAuthGrant[]): OAuthGrant[] {
  return grants.sort(
    (a, b) => byCodeUnit(a.appId, b.appId) || byCodeUnit(a.principal ?? '', b.principal ?? '') || byCodeUnit(a.grantType, b.grantType),
  );
}

/** One authorize or revoke, read from a Reports API activity. */
export interface GoogleTokenEvent {
  /** Activity time and unique qualifier: what makes an event the same one when listed twice. */
  id: string;
  time: number;
  name: 'authorize' | 'revoke';
  principal: string;
  clientId: string;
  appName: string;
  scopes: string[];
}

/**
 * The authorize and revoke events of the token application's activities, oldest first, each once.
 * Google lists newest first; activities with the same time keep their relative order reversed too,
 * so the one Google listed later (the older) is applied first. Events without a user or a client id
 * cannot name a grant and are skipped.
 */
export function tokenEvents(activities: readonly GoogleActivity[]): GoogleTokenEvent[] {
  const seen = new Set<string>();
  const events: GoogleTokenEvent[] = [];
  for (const activity of [...activities].reverse()) {
    const key = `${activity.id.time}/${activity.id.uniqueQualifier}`;
    // Paging over a list that grows at its head can hand out the same activity twice.
    if (seen.has(key)) continue;
    seen.add(key);
    const principal = activity.actor.email;
    if (!principal) continue;
    activity.events.forEach((event, index) => {
      if (event.name !== 'authorize' && event.name !== 'revoke') return;
      const param = (name: string) => event.parameters.find((p) => p.name === name);
      const clientId = param('client_id')?.value;
      if (!clientId) return;
      events.push({
        id: `${key}/${index}`,
        time: Date.parse(activity.id.time),
        name: event.name,
        principal,
        clientId,
        appName: param('app_name')?.value || clientId,
        scopes: (param('scope')?.multiValue ?? []).filter((scope) => scope !== ''),
      });
    });
  }
  // Array.prototype.sort is stable: equal times keep the order established above.
  return events.sort((a, b) => a.time - b.time);
}

/**
 * The user grants after replaying token events on the grants of an earlier document: an authorize
 * adds the (user, client) grant or extends its scopes (Google keeps what a user granted a client
 * until it is revoked), a revoke removes it. Replaying events already applied changes nothing (a
 * union or a removal applied twice is applied once), which is what lets each incremental pass read
 * an overlapping window. Other grant types pass through untouched. Pure.
 */
export function applyTokenEvents(grants: readonly OAuthGrant[], events: readonly GoogleTokenEvent[]): OAuthGrant[] {
  const key = (principal: string, clientId: string) => `${principal}\u0000${clientId}`;
  const users = new Map<string, OAuthGrant>();
  const others: OAuthGrant[] = [];
  for (const grant of grants) {
    if (grant.grantType === 'user' && grant.principal) users.set(key(grant.principal, grant.appId), { ...grant, scopes: [...grant.scopes] });
    else others.push(grant);
  }
  for (const event of events) {
    const k = key(event.principal, event.clientId);
    if (event.name === 'revoke') {
      users.delete(k);
      continue;
    }
    const scopes = new Set([...(users.get(k)?.scopes ?? []), ...event.scopes]);
    users.set(k, { appId: event.clientId, appName: event.appName, scopes: [...scopes].sort(), grantType: 'user', principal: event.principal });
  }
  return sortGrants([...others, ...users.values()]);
}

function tenantId(raw: GoogleRawPosture): string {
  if (raw.customer !== 'my_customer') return raw.customer;
  const fromUsers = raw.users.find((u) => u.customerId)?.customerId;
  if (fromUsers) return fromUsers;
  for (const list of Object.values(raw.policies)) {
    const customer = list?.find((p) => p.customer)?.customer;
    if (customer) return customer.replace(/^customers\//, '');
  }
  return raw.customer;
}

/** Raw Google answers to the provider-agnostic document. Pure: same input, same document. */
export function normalizeGooglePosture(raw: GoogleRawPosture): PostureDocument {
  const gaps = [...raw.gaps].sort((a, b) => byCodeUnit(a.area, b.area) || byCodeUnit(a.what, b.what) || byCodeUnit(a.reason, b.reason));
  const tree = new OrgTree(raw.orgUnits);
  const residency = normalizeResidency(raw, tree);
  const domain = raw.users[0]?.primaryEmail.split('@')[1];
  return {
    provider: 'google-workspace',
    tenant: { id: tenantId(raw), ...(domain ? { domain } : {}) },
    settings: normalizeSettings(raw, tree),
    oauthGrants: normalizeGrants(raw),
    residency,
    gaps,
  };
}
