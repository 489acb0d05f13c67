import type { PostureGap } from './posture-document';

export type GapTarget = Omit<PostureGap, 'reason'>;

/**
 * The gaps of one poll, each dataset reported once: a refusal repeated for every workspace or app
 * would otherwise repeat the same gap hundreds of times. The first reason is kept.
 */
export class GapLog {
  private readonly seen = new Set<string>();
  readonly gaps: PostureGap[] = [];

  add(target: GapTarget, reason: string): void {
    const key = `${target.area}\n${target.what}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.gaps.push({ ...target, reason });
  }
}

/**
 * Runs an optional read: when `isRefusal` says the provider refused it (missing scope or permission,
 * a plan without the API), its dataset becomes a gap and the poll goes on; anything else still fails.
 */
export async function readOptional<T, E extends Error>(
  gaps: GapLog,
  target: GapTarget,
  isRefusal: (err: unknown) => err is E,
  read: () => Promise<T>,
  reason: (err: E) => string = (err) => err.message,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!isRefusal(err)) throw err;
    gaps.add(target, reason(err));
    return undefined;
  }
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface CallGateOptions {
  /** Failures that leave the poll going (a refusal that becomes a gap); any other failure dooms it. */
  survivable: (err: unknown) => boolean;
  /** Calls in flight at once; the others wait their turn in order. */
  limit?: number;
}

/**
 * The calls of one poll: at most `limit` in flight, and once one failure has doomed the poll no
 * further call starts. Later calls, and those still waiting for a slot, fail with that first error.
 */
export class CallGate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private fatal: unknown;

  constructor(private readonly options: CallGateOptions) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.fatal !== undefined) throw this.fatal;
    await this.acquire();
    try {
      if (this.fatal !== undefined) throw this.fatal;
      return await call();
    } catch (err) {
      if (!this.options.survivable(err) && this.fatal === undefined) this.fatal = err;
      throw err;
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < (this.options.limit ?? Infinity)) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so inFlight stays as it is.
    if (next) next();
    else this.inFlight--;
  }
}
