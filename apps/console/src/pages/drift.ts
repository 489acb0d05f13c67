import { get, post, ApiError, type Session } from '../api';
import { decisionForm } from '../decisions';
import { h, json, severityBadge, statusLine, table, when } from '../dom';
import { canRequest } from '../roles';
import { exceptionSummary, type Exception } from './exceptions';

interface DriftEvent { id: string; kind: string; occurredAt: string; expected: unknown; observed: unknown; note: string | null; resolution: string | null }
export interface Drift {
  id: string; connectionId: string; controlId: string; title: string; severity: string; area: string; resourceKey: string; status: string;
  expected: unknown; observed: unknown; openedAt: string; lastSeenAt: string; resolvedAt: string | null; exceptionId: string | null;
  resolution: string | null; references: string[]; events: DriftEvent[];
}

export async function driftPage(me: Session, main: HTMLElement, id: string): Promise<void> {
  const d = await get<Drift>(`/drifts/${id}`);
  const exception = d.exceptionId ? await get<Exception>(`/exceptions/${d.exceptionId}`) : null;
  // A requested exception is not linked to the drift until it is approved: look for one pending.
  const pending = exception
    ? null
    : (await get<{ items: Exception[] }>(`/exceptions?connectionId=${d.connectionId}&state=requested&limit=100`)).items.find(
        (e) => e.controlId === d.controlId && (e.resourceKey === null || e.resourceKey === d.resourceKey),
      ) ?? null;
  const rerender = () => void driftPage(me, main, id).then(() => main.setAttribute('data-ready', 'drift'));
  const shown = exception ?? pending;

  main.replaceChildren(
    h('h1', {}, `Drift: ${d.title}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Control'), h('dd', {}, d.controlId),
      h('dt', {}, 'Severity'), h('dd', {}, severityBadge(d.severity)),
      h('dt', {}, 'Resource'), h('dd', {}, h('code', {}, d.resourceKey)),
      h('dt', {}, 'Status'), h('dd', { 'data-field': 'status' }, d.status + (d.resolution ? ` (${d.resolution})` : '')),
      h('dt', {}, 'Opened'), h('dd', {}, when(d.openedAt)),
      h('dt', {}, 'Last seen'), h('dd', {}, when(d.lastSeenAt)),
      h('dt', {}, 'Resolved'), h('dd', {}, when(d.resolvedAt)),
      h('dt', {}, 'Connection'), h('dd', {}, h('a', { href: `/connections/${d.connectionId}` }, 'Open the connection')),
    ),
    h(
      'div',
      { class: 'values' },
      h('section', { 'aria-labelledby': 'h-exp' }, h('h2', { id: 'h-exp' }, 'Expected'), h('pre', {}, json(d.expected))),
      h('section', { 'aria-labelledby': 'h-obs' }, h('h2', { id: 'h-obs' }, 'Observed'), h('pre', {}, json(d.observed))),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-events' },
      h('h2', { id: 'h-events' }, 'Events'),
      h(
        'ol',
        { class: 'timeline' },
        d.events.map((e) => h('li', {}, h('strong', {}, e.kind), ` ${when(e.occurredAt)}`, e.resolution ? ` (${e.resolution})` : '', e.note ? ` — ${e.note}` : '')),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-exception' },
      h('h2', { id: 'h-exception' }, 'Exception'),
      shown
        ? [
            exceptionSummary(shown),
            shown.state === 'requested'
              ? decisionForm({ me, label: 'exception', requestedBy: shown.requestedBy, actions: ['approve', 'reject'], path: (a) => `/exceptions/${shown.id}/${a}`, done: rerender })
              : shown.state === 'approved'
                ? decisionForm({ me, label: 'exception', requestedBy: shown.requestedBy, actions: ['revoke'], path: (a) => `/exceptions/${shown.id}/${a}`, done: rerender })
                : null,
          ]
        : d.status === 'resolved'
          ? h('p', {}, 'None: the drift is resolved.')
          : requestForm(me, d, rerender),
    ),
  );
}

function requestForm(me: Session, d: Drift, done: () => void): HTMLElement {
  if (!canRequest(me)) return h('p', {}, `None. Requesting an exception is for operators and approvers (you are ${me.role}).`);
  const status = statusLine();
  const justification = h('textarea', { id: 'justification', name: 'justification', required: true, rows: 3, maxlength: 2000 });
  const inThirty = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const expires = h('input', { id: 'expires', name: 'expires', type: 'date', required: true, value: inThirty });
  const form = h(
    'form',
    {
      class: 'request',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          await post('/exceptions', {
            connectionId: d.connectionId,
            controlId: d.controlId,
            resourceKey: d.resourceKey,
            justification: justification.value.trim(),
            expiresAt: new Date(`${expires.value}T23:59:59Z`).toISOString(),
          });
          done();
        } catch (err) {
          status.className = 'status bad';
          status.textContent = `Refused: ${err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : String(err)}`;
        }
      },
    },
    h('p', {}, 'None. Request one for this resource; an approver other than you decides.'),
    h('label', { for: 'justification' }, 'Justification'),
    justification,
    h('label', { for: 'expires' }, 'Expires on (UTC, end of day)'),
    expires,
    h('button', { type: 'submit' }, 'Request exception'),
    status,
  );
  return form;
}

export function driftTable(caption: string, drifts: Omit<Drift, 'events'>[]): HTMLTableElement {
  return table(
    caption,
    ['opened', 'severity', 'control', 'resource', 'status', 'resolved'],
    drifts.map((d) => [
      when(d.openedAt),
      severityBadge(d.severity),
      h('a', { href: `/drifts/${d.id}` }, `${d.controlId}: ${d.title}`),
      h('code', {}, d.resourceKey),
      d.status,
      d.resolvedAt ? `${when(d.resolvedAt)} (${d.resolution ?? 'resolved'})` : '—',
    ]),
  );
}
