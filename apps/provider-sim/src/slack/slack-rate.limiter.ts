/** Slack's published per-method tiers, in requests per minute. */
export type SlackTier = 2 | 3 | 4;
const PER_MINUTE: Record<SlackTier, number> = { 2: 20, 3: 50, 4: 100 };

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Sliding one-minute window per method, like Slack's "per method per workspace" limits. A sliding
 * window (rather than fixed minutes) makes the allowed rate exact, which the benchmark that checks
 * "uses >= 90% of the allowed rate" depends on.
 */
export class SlackRateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly timeScale: number,
    private readonly now: () => number = Date.now,
  ) {}

  check(method: string, tier: SlackTier): RateDecision {
    const windowMs = 60_000 / this.timeScale;
    const limit = PER_MINUTE[tier];
    const t = this.now();
    let stamps = this.windows.get(method);
    if (!stamps) {
      stamps = [];
      this.windows.set(method, stamps);
    }
    let expired = 0;
    while (expired < stamps.length && stamps[expired] <= t - windowMs) expired++;
    if (expired > 0) stamps.splice(0, expired);
    if (stamps.length < limit) {
      stamps.push(t);
      return { allowed: true };
    }
    // Retry-After is whole seconds on the wire; never 0, or a client would spin.
    const waitMs = stamps[0] + windowMs - t;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
