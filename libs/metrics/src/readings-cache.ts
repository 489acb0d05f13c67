import type { LoadedReadings, PostureReadingsSource } from './metrics';

export interface ReadingsCacheOptions {
  /** While /metrics is scraped, the database is read this often (never two reads at once). */
  refreshMs: number;
  /**
   * Refreshing stops after this long without a scrape, and the next scrape starts it again. Longer
   * than any sensible scrape interval (Prometheus forgets a series after 5 minutes without it), so
   * that a regular scraper never finds it stopped.
   */
  idleMs: number;
  /** How long the scrape that starts refreshing waits for the first reading before it answers with the last one. */
  waitMs: number;
  /** A read still unanswered after this long counts as the database being down. */
  downAfterMs: number;
  /** Told when the listener throws on a new reading; the gauges then keep their previous values. */
  onListenerError?: (err: unknown) => void;
  now?: () => number;
}

export const DEFAULT_READINGS_CACHE: ReadingsCacheOptions = { refreshMs: 1000, idleMs: 300_000, waitMs: 500, downAfterMs: 3000 };

interface Read {
  done: Promise<void>;
  startedAt: number;
}

/**
 * Database readings that never make a scrape wait for the database: while someone scrapes, a timer
 * reads it every refreshMs in the background (at most one read in flight) and hands each reading
 * to the listener as it arrives; a scrape only asks whether the database is up. Only the scrape
 * that starts refreshing waits, briefly, for the first reading. When a read fails (or hangs past
 * downAfterMs) the database counts as down and the last values stay; a slow read that later
 * succeeds still delivers its values.
 */
export class ReadingsCache implements PostureReadingsSource {
  private last: LoadedReadings | null = null;
  private lastReadFailed = false;
  private inflight?: Read;
  /** The read that (re)started refreshing, which scrapes may wait for for up to waitMs after it started. */
  private firstRead?: Read;
  private timer?: NodeJS.Timeout;
  private lastScrapeAt = Number.NEGATIVE_INFINITY;
  private listener?: (readings: LoadedReadings) => void;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly load: () => Promise<LoadedReadings>,
    private readonly options: ReadingsCacheOptions = DEFAULT_READINGS_CACHE,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Whether the background refresh is running (it runs while someone scrapes). */
  get refreshing(): boolean {
    return this.timer !== undefined;
  }

  async scrape(): Promise<{ databaseUp: boolean }> {
    this.lastScrapeAt = this.now();
    if (!this.timer && !this.closed) this.startRefreshing();
    const first = this.firstRead;
    if (first) {
      const waitLeft = first.startedAt + this.options.waitMs - this.now();
      if (waitLeft > 0) await waitAtMost(first.done, waitLeft);
    }
    return { databaseUp: this.databaseUp() };
  }

  subscribe(listener: (readings: LoadedReadings) => void): void {
    this.listener = listener;
    if (this.last) this.deliver(this.last);
  }

  /** Stops refreshing for good (app shutdown); a read in flight may still deliver its values. */
  close(): void {
    this.closed = true;
    this.stopRefreshing();
  }

  private databaseUp(): boolean {
    if (this.lastReadFailed) return false;
    if (this.inflight && this.now() - this.inflight.startedAt >= this.options.downAfterMs) return false;
    // Nothing read yet and the first read is still under way: not known to be up.
    return this.last !== null;
  }

  private startRefreshing(): void {
    // unref: a scrape must never keep the process alive; close() stops it on shutdown.
    this.timer = setInterval(() => this.tick(), this.options.refreshMs);
    this.timer.unref();
    this.firstRead = this.refresh();
  }

  private stopRefreshing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.now() - this.lastScrapeAt >= this.options.idleMs) this.stopRefreshing();
    else this.refresh();
  }

  /** Starts a read unless one is in flight (a hanging one included), and returns the one in flight. */
  private refresh(): Read {
    if (this.inflight) return this.inflight;
    const read: Read = {
      startedAt: this.now(),
      // new Promise: a load that throws instead of rejecting counts as a failed read too.
      done: new Promise<LoadedReadings>((resolve) => resolve(this.load()))
        .then(
          (readings) => {
            this.last = readings;
            this.lastReadFailed = false;
            this.deliver(readings);
          },
          () => {
            // Keep the last values; the next tick tries again.
            this.lastReadFailed = true;
          },
        )
        .finally(() => {
          this.inflight = undefined;
          if (this.firstRead === read) this.firstRead = undefined;
        }),
    };
    this.inflight = read;
    return read;
  }

  private deliver(readings: LoadedReadings): void {
    try {
      this.listener?.(readings);
    } catch (err) {
      this.options.onListenerError?.(err);
    }
  }
}

function waitAtMost(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
