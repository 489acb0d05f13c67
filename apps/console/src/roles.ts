import type { Session } from './api';

// What each role may do, as the API enforces it (README, REST API): shown, so that a person sees why
// a button is off instead of meeting a 403.
export const canRequest = (me: Session) => ['operator', 'approver', 'admin'].includes(me.role);
export const canDecide = (me: Session) => ['approver', 'admin'].includes(me.role);
export const canAudit = (me: Session) => ['auditor', 'admin'].includes(me.role);

/**
 * Why `me` may not approve or reject what `requestedBy` asked for, or null when they may. The
 * four-eyes rule compares principals: the requester never decides, with any key or session.
 */
export function whyNotDecide(me: Session, requestedBy: string): string | null {
  if (!canDecide(me)) return `Your role (${me.role}) cannot approve or reject; an approver must.`;
  if (requestedBy === me.principal) return `You (${me.principal}) requested this; four-eyes: another approver must decide.`;
  return null;
}
