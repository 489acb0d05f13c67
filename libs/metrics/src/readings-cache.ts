import type { LoadedReadings, PostureReadings, PostureReadingsSource } from './metrics';

export interface ReadingsCacheOptions {
  /** A reading younger than this is served without asking the database again. */
  maxAgeMs: number;
  /** How long a scrape waits for a fresh reading before it answers with the last one. */
  waitMs: number;
  /** A read still unanswered after this long counts as the database being down. */
  downAfterMs: number;
  now?: () => number;
}

export const DEFAULT_READINGS_CACHE: ReadingsCacheOptions = { maxAgeMs: 1000, waitMs: 500, downAfterMs: 3000 };

/**
 * Scrape-time readings that never make a scrape slow: at most one database read is in flight, a
 * scrape waits for it only briefly, and when it fails (or hangs) the last values are served with
 * databaseUp false. A slow read that later succeeds still refreshes the values.
 */
export class ReadingsCache implements PostureReadingsSource {
  private last: LoadedReadings | null = null;
  /** When the last read ended, well or not: a database that is down is asked at most once per maxAge. */
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastReadFailed = false;
  private inflight?: { done: Promise<void>; startedAt: number };
  private readonly now: () => number;

  constructor(
    private readonly load: () => Promise<LoadedReadings>,
    private readonly options: ReadingsCacheOptions = DEFAULT_READINGS_CACHE,
  ) {
    this.now = options.now ?? Date.now;
  }

  async read(): Promise<PostureReadings> {
    if (this.now() - this.attemptedAt >= this.options.maxAgeMs) {
      const inflight = (this.inflight ??= this.start());
      const waitLeft = inflight.startedAt + this.options.waitMs - this.now();
      if (waitLeft > 0) await waitAtMost(inflight.done, waitLeft);
    }
    const last = this.last;
    return {
      databaseUp: this.databaseUp(),
      connections: last?.connections ?? null,
      exceptions: last?.exceptions ?? null,
      evidenceChainOk: last?.evidenceChainOk ?? null,
    };
  }

  private databaseUp(): boolean {
    if (this.lastReadFailed) return false;
    if (this.inflight && this.now() - this.inflight.startedAt >= this.options.downAfterMs) return false;
    // Nothing read yet and the first read is still under way: not known to be up.
    return this.last !== null;
  }

  private start(): { done: Promise<void>; startedAt: number } {
    const startedAt = this.now();
    const done = this.load().then(
      (readings) => {
        this.last = readings;
        this.lastReadFailed = false;
      },
      () => {
        // Keep the last values; a later scrape tries again.
        this.lastReadFailed = true;
      },
    );
    const settled = done.finally(() => {
      this.attemptedAt = this.now();
      this.inflight = undefined;
    });
    return { done: settled, startedAt };
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
