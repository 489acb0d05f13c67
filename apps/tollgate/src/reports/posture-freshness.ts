/** What the posture report knows of a connection's polling, as its row holds it. */
export interface PollingState {
  enabled: boolean;
  pollIntervalSeconds: number;
  consecutiveFailures: number;
  lastFailureReason: string | null;
  lastSuccessAt: Date | null;
}

export interface Freshness {
  stale: boolean;
  /** Why the findings cannot be trusted as current; null when they can. */
  staleReason: string | null;
}

/** Stale once no poll succeeded for this many poll intervals: the TollgateConnectionStale alert's rule. */
export const STALE_AFTER_INTERVALS = 2;

/** A duration as a person says it: seconds, minutes, hours or days, rounded down. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s} s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/**
 * Whether a connection's findings still describe the tenant. They do not when the last poll
 * failed (the tenant may have changed since: a connection whose credentials were revoked would
 * otherwise keep the score of its last good poll for ever), when no poll succeeded within
 * STALE_AFTER_INTERVALS poll intervals (polls are not running, or the connection is disabled), or
 * when none ever succeeded. The reasons are joined with `; `, most telling first.
 */
export function freshness(p: PollingState, now: Date): Freshness {
  const reasons: string[] = [];
  if (p.consecutiveFailures > 0) {
    const polls = p.consecutiveFailures === 1 ? 'the last poll' : `the last ${p.consecutiveFailures} polls`;
    reasons.push(`${polls} failed: ${p.lastFailureReason ?? 'unknown'}`);
  }
  if (p.lastSuccessAt === null) {
    reasons.push('never polled successfully');
  } else {
    const since = (now.getTime() - p.lastSuccessAt.getTime()) / 1000;
    if (since > STALE_AFTER_INTERVALS * p.pollIntervalSeconds) {
      reasons.push(`no successful poll for ${duration(since)} (interval ${duration(p.pollIntervalSeconds)})`);
    }
  }
  if (!p.enabled && reasons.length > 0) reasons.push('polling is disabled');
  return reasons.length > 0 ? { stale: true, staleReason: reasons.join('; ') } : { stale: false, staleReason: null };
}
