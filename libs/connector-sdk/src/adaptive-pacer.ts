/**
 * Client-side pacing learned from a provider's throttling, for limiters that say nothing about when
 * to come back (Google's 429 / 403 rate errors often carry no Retry-After). Exponential backoff per
 * request leaves a sliding quota partly unused: each refused call sleeps on its own and comes back
 * seconds after slots freed up (docs/performance.md, "Rate limits"). This paces all calls of one
 * tenant instead, AIMD-style:
 *
 * - Never throttled: no pacing at all, no wait.
 * - A throttle answer starts an episode: the rate the calls went at becomes the learned `limit`,
 *   and the rate halves for every further refused call sent after the last cut, as exponential
 *   backoff would, but for the tenant's calls together: they queue for slots instead of each
 *   retrying on its own timer.
 * - The first success ends the episode: the quota has room again, and calls resume at
 *   `recoveryFactor` × `limit` (the multiplicative decrease of the episode).
 * - Each success then raises the rate additively, by `increasePerSecond` × `limit` per second of
 *   successful calls, until the next throttle answer.
 *
 * A pacer is deterministic: it reads the time from `now` and never sleeps itself; the caller waits
 * `waitMs` (abortably) before sending.
 */
export interface AdaptivePacerOptions {
  /** The one clock: injected so tests run on a fake one. */
  now?: () => number;
  /** Fraction of the learned limit calls resume at after an episode. */
  recoveryFactor?: number;
  /** Additive increase: fraction of the learned limit added per second of successful calls. */
  increasePerSecond?: number;
  /** Floor of the rate during an episode, in calls per second: probes never stop altogether. */
  minRatePerSecond?: number;
}

/** A reserved send time; hand it back with the answer so old answers do not cut the rate twice. */
export interface PacerSlot {
  /** When the call may go, on the pacer's clock. */
  at: number;
  /** How long to wait for it from now (0 when unpaced or the slot is free). */
  waitMs: number;
}

const DEFAULT_RECOVERY_FACTOR = 0.7;
const DEFAULT_INCREASE_PER_SECOND = 0.1;
const DEFAULT_MIN_RATE_PER_SECOND = 0.5;
/** Send times kept to measure the rate of unpaced calls when the first throttle answer comes. */
const RECENT_SENDS = 16;

export class AdaptivePacer {
  private readonly now: () => number;
  private readonly recoveryFactor: number;
  private readonly increasePerSecond: number;
  private readonly minRate: number;
  /** Calls per second; undefined while never throttled (unpaced). */
  private rate: number | undefined;
  /** The rate throttling began at, in the latest episode. */
  private limit = 0;
  private inEpisode = false;
  private nextSlotAt = 0;
  private lastCutAt = -Infinity;
  private readonly recentSends: number[] = [];
  lastUsedAt: number;

  constructor(options: AdaptivePacerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.recoveryFactor = options.recoveryFactor ?? DEFAULT_RECOVERY_FACTOR;
    this.increasePerSecond = options.increasePerSecond ?? DEFAULT_INCREASE_PER_SECOND;
    this.minRate = options.minRatePerSecond ?? DEFAULT_MIN_RATE_PER_SECOND;
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
    if (this.rate === undefined) {
      this.recentSends.push(now);
      if (this.recentSends.length > RECENT_SENDS) this.recentSends.shift();
      return { at: now, waitMs: 0 };
    }
    const at = Math.max(now, this.nextSlotAt);
    this.nextSlotAt = at + 1000 / this.rate;
    return { at, waitMs: at - now };
  }

  /** The call sent at `slot` was answered with throttling and no usable Retry-After. */
  throttled(slot: PacerSlot): void {
    // Calls sent before the last cut went at the old rate: their refusals say nothing new.
    if (slot.at < this.lastCutAt) return;
    const now = this.now();
    if (!this.inEpisode) {
      this.inEpisode = true;
      this.limit = this.rate ?? this.unpacedRate();
    }
    this.rate = Math.max(this.minRate, (this.rate ?? this.limit) / 2);
    // Slots handed out at the old rate are taken back: the next caller waits a whole new interval.
    this.nextSlotAt = now + 1000 / this.rate;
    this.lastCutAt = now;
  }

  /** The call sent at `slot` succeeded. */
  succeeded(_slot: PacerSlot): void {
    if (this.rate === undefined) return;
    if (this.inEpisode) {
      this.inEpisode = false;
      const resumed = Math.max(this.rate, this.recoveryFactor * this.limit);
      this.nextSlotAt = Math.min(this.nextSlotAt, this.now() + 1000 / resumed);
      this.rate = resumed;
      return;
    }
    // rate grows by increasePerSecond × limit per second: 1/rate seconds per call.
    this.rate += (this.increasePerSecond * this.limit) / this.rate;
  }

  private unpacedRate(): number {
    const sends = this.recentSends;
    const spanMs = sends.length > 1 ? sends[sends.length - 1] - sends[0] : 0;
    // All sends within a millisecond: as fast as this clock can tell, a thousand a second per call.
    return spanMs > 0 ? ((sends.length - 1) * 1000) / spanMs : 1000 * Math.max(1, sends.length);
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
