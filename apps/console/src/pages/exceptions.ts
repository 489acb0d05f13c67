import { get, type Session } from '../api';
import { decisionForm } from '../decisions';
import { h, table, when } from '../dom';

export interface Exception {
  id: string; connectionId: string; controlId: string; resourceKey: string | null; justification: string; externalRef: string | null;
  state: string; requestedBy: string; requestedAt: string; expiresAt: string; decidedBy: string | null; decidedAt: string | null;
  decisionReason: string | null; endedBy: string | null; endedAt: string | null; endReason: string | null;
}

export interface Change {
  id: string; connectionId: string; status: string; reasons: string[]; requestedBy: string; requestedAt: string; expiresAt: string | null;
  before: { baselineId: string }; after: { baselineId: string };
}

export function exceptionSummary(e: Exception): HTMLElement {
  return h(
    'dl',
    { class: 'facts', 'data-exception': e.id },
    h('dt', {}, 'State'), h('dd', { 'data-field': 'state' }, e.state),
    h('dt', {}, 'Control'), h('dd', {}, `${e.controlId}${e.resourceKey ? ` on ${e.resourceKey}` : ' (every resource)'}`),
    h('dt', {}, 'Justification'), h('dd', {}, e.justification),
    h('dt', {}, 'Requested by'), h('dd', { 'data-field': 'requestedBy' }, `${e.requestedBy}, ${when(e.requestedAt)}`),
    h('dt', {}, 'Expires'), h('dd', {}, when(e.expiresAt)),
    e.decidedBy ? [h('dt', {}, 'Decided by'), h('dd', { 'data-field': 'decidedBy' }, `${e.decidedBy}, ${when(e.decidedAt)}: ${e.decisionReason ?? ''}`)] : null,
    e.endedBy ? [h('dt', {}, 'Ended by'), h('dd', {}, `${e.endedBy}, ${when(e.endedAt)}: ${e.endReason ?? ''}`)] : null,
  );
}

/** Loosening changes waiting for an approver, with the same four-eyes display as exceptions. */
export function changesSection(me: Session, changes: Change[], names: Map<string, string>, done: () => void): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'h-changes' },
    h('h2', { id: 'h-changes' }, `Pending loosening changes (${changes.length})`),
    changes.length === 0
      ? h('p', {}, 'None.')
      : table(
          'Changes that loosen what a connection is held to, waiting for an approver',
          ['connection', 'what loosens', 'requested by', 'expires', 'decision'],
          changes.map((c) => [
            h('a', { href: `/connections/${c.connectionId}` }, names.get(c.connectionId) ?? c.connectionId),
            h('ul', {}, c.reasons.map((r) => h('li', {}, r))),
            `${c.requestedBy}, ${when(c.requestedAt)}`,
            when(c.expiresAt),
            decisionForm({ me, label: 'change', requestedBy: c.requestedBy, actions: ['approve', 'reject'], path: (a) => `/connections/${c.connectionId}/changes/${c.id}/${a}`, done }),
          ]),
        ),
  );
}

// Pending changes are listed per connection; past this many the page says to look per connection.
const CHANGE_SCAN_LIMIT = 100;

export async function exceptionsPage(me: Session, main: HTMLElement): Promise<void> {
  const [requested, approved, connections] = await Promise.all([
    get<{ items: Exception[] }>('/exceptions?state=requested&limit=500'),
    get<{ items: Exception[] }>('/exceptions?state=approved&limit=500'),
    get<{ items: { id: string; name: string }[] }>('/connections'),
  ]);
  const names = new Map(connections.items.map((c) => [c.id, c.name]));
  const scanned = connections.items.slice(0, CHANGE_SCAN_LIMIT);
  const changes = (await Promise.all(scanned.map((c) => get<{ items: Change[] }>(`/connections/${c.id}/changes?status=pending`)))).flatMap((p) => p.items);
  const rerender = () => void exceptionsPage(me, main).then(() => main.setAttribute('data-ready', 'exceptions'));
  const rows = (items: Exception[], actions: ('approve' | 'reject' | 'revoke')[]) =>
    items.map((e) => [
      h('a', { href: `/connections/${e.connectionId}` }, names.get(e.connectionId) ?? e.connectionId),
      `${e.controlId}${e.resourceKey ? ` on ${e.resourceKey}` : ''}`,
      e.justification,
      `${e.requestedBy}, ${when(e.requestedAt)}`,
      when(e.expiresAt),
      decisionForm({ me, label: 'exception', requestedBy: e.requestedBy, actions, path: (a) => `/exceptions/${e.id}/${a}`, done: rerender }),
    ]);
  const headers = ['connection', 'control', 'justification', 'requested by', 'expires', 'decision'];
  main.replaceChildren(
    h('h1', {}, 'Exceptions and changes'),
    h('p', {}, 'Operators request exceptions from a drift’s page. An approver other than the requester approves or rejects (four-eyes); an approver may revoke an approved one.'),
    h(
      'section',
      { 'aria-labelledby': 'h-requested' },
      h('h2', { id: 'h-requested' }, `Waiting for a decision (${requested.items.length})`),
      requested.items.length ? table('Requested exceptions', headers, rows(requested.items, ['approve', 'reject'])) : h('p', {}, 'None.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-approved' },
      h('h2', { id: 'h-approved' }, `In force (${approved.items.length})`),
      approved.items.length ? table('Approved exceptions', headers, rows(approved.items, ['revoke'])) : h('p', {}, 'None.'),
    ),
    changesSection(me, changes, names, rerender),
    h('p', { class: 'muted', hidden: connections.items.length <= CHANGE_SCAN_LIMIT }, `Pending changes are shown for the first ${CHANGE_SCAN_LIMIT} connections by name; a connection’s page shows its own.`),
  );
}
