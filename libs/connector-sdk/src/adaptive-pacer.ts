/**
 * Client-side pacing learned from a provider's throttling, for limiters that say nothing about when
 * to come back (Google's 429 / 403 rate errors often carry no Retry-After). Exponential backoff per
 * request leaves a sliding quota partly unused: each refused call sleeps on its own and comes back
 * seconds after slots freed up (docs/performance.md, "Rate limits"). This paces all calls of one
 * tenant instead, at the rate the quota was measured to admit:
 *
 * - Never throttled: no pacing at all, no wait.
 * - The pacer keeps a log of the answers of the last `horizonMs` (a minute: Google counts its
 *   quotas per minute). A refused call sent after the last cut sets the rate to what the quota
 *   admitted over that log: successful calls per second of time the tenant was calling (pauses
 *   between calls longer than `idleGapMs`, such as the time between two polls, count as
 *   `idleGapMs`), less `margin`. The rate is set from the measurement each time, never cut again
 *   from the previous cut: a sliding window that is full stays full for a window's time whatever
 *   the rate, and compounding cuts over that time starve the tenant (the halving pacer this replaced
 *   used 0.59-0.83 of such a quota in the simulation adaptive-pacer.spec.ts runs).
 * - Each success raises the rate by `increasePerCall` calls per second (at the paced rate, about that
 *   fraction of the rate per second), so a quota that grows is found again.
 *
 * While the quota is the bottleneck, a sliding window admits exactly its rate over any stretch as
 * long as a window; the measurement converges on it within one horizon, and the refusals go down to
 * the ones the additive probe costs.
 *
 * A pacer is deterministic: it reads the time from `now` and never sleeps itself; the caller waits
 * `waitMs` (abortably) before sending.
 */
export interface AdaptivePacerOptions {
  /** The one clock: injected so tests run on a fake one. */
  now?: () => number;
  /** How far back the admitted rate is measured. */
  horizonMs?: number;
  /** Fraction below the measured rate the calls are paced at. */
  margin?: number;
  /** Additive increase: calls per second added to the rate per successful call. */
  increasePerCall?: number;
  /** A pause between answers longer than this counts as this long: the tenant was not calling. */
  idleGapMs?: number;
  /** Floor of the rate, in calls per second: probes never stop altogether. */
  minRatePerSecond?: number;
}

/** A reserved send time; hand it back with the answer so old answers do not cut the rate twice. */
export interface PacerSlot {
  /** When the call may go, on the pacer's clock. */
  at: number;
  /** How long to wait for it from now (0 when unpaced or the slot is free). */
  waitMs: number;
}

const DEFAULT_HORIZON_MS = 60_000;
const DEFAULT_MARGIN = 0.03;
const DEFAULT_INCREASE_PER_CALL = 0.02;
const DEFAULT_IDLE_GAP_MS = 500;
const DEFAULT_MIN_RATE_PER_SECOND = 0.5;

export class AdaptivePacer {
  private readonly now: () => number;
  private readonly margin: number;
  private readonly increasePerCall: number;
  private readonly idleGapMs: number;
  private readonly minRate: number;
  /** Calls per second; undefined while never throttled (unpaced). */
  private rate: number | undefined;
  private nextSlotAt = 0;
  private lastCutAt = -Infinity;
  /** What the answers of the last horizon add up to. */
  private readonly answers: AnswerLog;
  lastUsedAt: number;

  constructor(options: AdaptivePacerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.margin = options.margin ?? DEFAULT_MARGIN;
    this.increasePerCall = options.increasePerCall ?? DEFAULT_INCREASE_PER_CALL;
    this.idleGapMs = options.idleGapMs ?? DEFAULT_IDLE_GAP_MS;
    this.minRate = options.minRatePerSecond ?? DEFAULT_MIN_RATE_PER_SECOND;
    this.answers = new AnswerLog(options.horizonMs ?? DEFAULT_HORIZON_MS);
    this.lastUsedAt = this.now();
  }

  /** Calls per second the pacer lets through, or undefined while it does not pace. */
  get ratePerSecond(): number | undefined {
    return this.rate;
  }

  /** Takes the next send slot. Concurrent callers get consecutive slots, one interval apart. */
  reserve(): PacerSlot {
    const now = this.now();
    this.lastUsedAt = now;
    if (this.rate === undefined) return { at: now, waitMs: 0 };
    const at = Math.max(now, this.nextSlotAt);
    this.nextSlotAt = at + 1000 / this.rate;
    return { at, waitMs: at - now };
  }

  /** The call sent at `slot` was answered with throttling and no usable Retry-After. */
  throttled(slot: PacerSlot): void {
    const now = this.record(false);
    // Calls sent before the last cut went at the old rate: their refusals say nothing new.
    if (slot.at < this.lastCutAt) return;
    // Answers all in one instant count as idleGapMs of calling: a burst is not an infinite rate.
    const measured = this.answers.admittedPerSecond(this.idleGapMs);
    this.rate = Math.max(this.minRate, measured * (1 - this.margin));
    // Slots already handed out stand; the next new one is a whole interval after them or now.
    this.nextSlotAt = Math.max(this.nextSlotAt, now + 1000 / this.rate);
    this.lastCutAt = now;
  }

  /** The call sent at `slot` succeeded. */
  succeeded(_slot: PacerSlot): void {
    this.record(true);
    if (this.rate !== undefined) this.rate += this.increasePerCall;
  }

  private record(ok: boolean): number {
    const now = this.now();
    // A pause is calling time up to idleGapMs, or two intervals of the paced rate when slower.
    const maxGapMs = Math.max(this.idleGapMs, this.rate === undefined ? 0 : 2000 / this.rate);
    this.answers.push(now, ok, maxGapMs);
    return now;
  }
}

export interface ProviderPacersOptions extends AdaptivePacerOptions {
  /** A pacer not used for this long is forgotten (its connection was deleted or stopped polling). */
  idleMs?: number;
  /** Most pacers kept; the least recently used go first. */
  maxPacers?: number;
}

const DEFAULT_IDLE_MS = 30 * 60_000;
const DEFAULT_MAX_PACERS = 10_000;

/**
 * One AdaptivePacer per key (provider + connection: a tenant's quota), shared by every poll of that
 * connection in this process, so that consecutive polls start at the learned rate and tenants never
 * slow each other. Bounded: idle pacers and the least recently used beyond maxPacers are dropped.
 */
export class ProviderPacers {
  private readonly pacers = new Map<string, AdaptivePacer>();
  private readonly now: () => number;
  private readonly idleMs: number;
  private readonly maxPacers: number;

  constructor(private readonly options: ProviderPacersOptions = {}) {
    this.now = options.now ?? Date.now;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxPacers = options.maxPacers ?? DEFAULT_MAX_PACERS;
  }

  get size(): number {
    return this.pacers.size;
  }

  for(provider: string, connectionId: string): AdaptivePacer {
    const key = `${provider}\u0000${connectionId}`;
    let pacer = this.pacers.get(key);
    // Re-inserted on every use, so the map's order is least recently used first.
    if (pacer) this.pacers.delete(key);
    else pacer = new AdaptivePacer({ ...this.options, now: this.now });
    pacer.lastUsedAt = this.now();
    this.pacers.set(key, pacer);
    this.evict();
    return pacer;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, pacer] of this.pacers) {
      const idle = now - pacer.lastUsedAt >= this.idleMs;
      if (!idle && this.pacers.size <= this.maxPacers) break;
      this.pacers.delete(key);
    }
  }
}

/**
 * What the answers of the last horizon add up to, in one-second buckets: the successes, and the
 * time the tenant was calling (each answer adds the pause since the previous one, capped). Its size
 * is fixed whatever the call rate: two small arrays per tenant.
 */
class AnswerLog {
  private static readonly BUCKET_MS = 1_000;
  private readonly oks: Float64Array;
  private readonly busyMs: Float64Array;
  /** Index (time / BUCKET_MS) of the newest bucket. */
  private newest = -Infinity;
  private lastAt: number | undefined;

  constructor(horizonMs: number) {
    const buckets = Math.max(1, Math.ceil(horizonMs / AnswerLog.BUCKET_MS));
    this.oks = new Float64Array(buckets);
    this.busyMs = new Float64Array(buckets);
  }

  /** Adds an answer at `at`, counting at most `maxGapMs` of the pause before it as calling time. */
  push(at: number, ok: boolean, maxGapMs: number): void {
    const slot = this.advance(at);
    if (this.lastAt !== undefined) {
      this.busyMs[slot] += Math.min(Math.max(0, at - this.lastAt), maxGapMs);
      if (ok) this.oks[slot]++;
    }
    this.lastAt = at;
  }

  /** Successful calls per second of calling time over the horizon, that time taken as at least `minBusyMs`. */
  admittedPerSecond(minBusyMs: number): number {
    let ok = 0;
    let busy = 0;
    for (let i = 0; i < this.oks.length; i++) {
      ok += this.oks[i];
      busy += this.busyMs[i];
    }
    return (ok * 1000) / Math.max(busy, minBusyMs);
  }

  /** Moves the newest bucket to the one of `at`, emptying those that fell out of the horizon. */
  private advance(at: number): number {
    const index = Math.floor(at / AnswerLog.BUCKET_MS);
    const n = this.oks.length;
    if (index > this.newest) {
      const from = Math.max(this.newest + 1, index - n + 1);
      for (let i = from; i <= index; i++) {
        const slot = ((i % n) + n) % n;
        this.oks[slot] = 0;
        this.busyMs[slot] = 0;
      }
      this.newest = index;
    }
    // An answer from an older bucket (a clock step back) counts in the newest one.
    return ((this.newest % n) + n) % n;
  }
}
