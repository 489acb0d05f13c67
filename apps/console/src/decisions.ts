import { ApiError, post, type Session } from './api';
import { h, statusLine } from './dom';
import { canDecide, whyNotDecide } from './roles';

/**
 * Approve / reject (and, for an approved exception, revoke) with a reason. A button the four-eyes
 * rule or the person's role forbids is disabled and says why; if it is used anyway, the API's
 * refusal is shown, not hidden.
 */
export function decisionForm(opts: {
  me: Session;
  label: string;
  requestedBy: string;
  actions: ('approve' | 'reject' | 'revoke')[];
  path: (action: string) => string;
  done: () => void;
}): HTMLElement {
  const { me, label } = opts;
  const status = statusLine();
  const id = `reason-${Math.random().toString(36).slice(2, 8)}`;
  const reason = h('input', { id, type: 'text', name: 'reason', required: true, minlength: 1, maxlength: 1000, autocomplete: 'off' });
  const why = opts.actions.includes('revoke') ? (canDecide(me) ? null : `Your role (${me.role}) cannot revoke; an approver must.`) : whyNotDecide(me, opts.requestedBy);
  const whyId = `${id}-why`;
  const buttons = opts.actions.map((action) =>
    h(
      'button',
      {
        type: 'button',
        'data-action': action,
        disabled: why !== null,
        'aria-describedby': why ? whyId : null,
        onclick: async () => {
          status.className = 'status';
          if (!reason.value.trim()) {
            status.textContent = 'Give a reason first.';
            reason.focus();
            return;
          }
          try {
            await post(opts.path(action), { reason: reason.value.trim() });
            status.textContent = `${label}: ${action} done.`;
            opts.done();
          } catch (err) {
            status.className = 'status bad';
            status.setAttribute('role', 'alert');
            status.textContent = `Refused: ${err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : String(err)}`;
          }
        },
      },
      action[0].toUpperCase() + action.slice(1),
    ),
  );
  return h(
    'div',
    { class: 'decision' },
    h('label', { for: id }, `Reason (${label})`),
    reason,
    h('div', { class: 'buttons' }, buttons),
    why ? h('p', { id: whyId, class: 'why' }, why) : null,
    status,
  );
}
