export interface EvidenceChainProbeOptions {
  /** The result of the last verification this process ran (by anyone); null while none has. */
  lastResult: () => boolean | null;
  /** A full verification that records its result where lastResult reads it. */
  verify: () => Promise<void>;
  /** At most one background verification per this many milliseconds (TOLLGATE_CHECKPOINT_INTERVAL_SECONDS). */
  minIntervalMs: number;
  /** Told when a background verification fails to run (the database is down, say); it is retried after minIntervalMs. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

/**
 * The value of tollgate_evidence_chain_ok without verifying on a scrape: verifying streams the
 * whole ledger, which a scrape every 15 s must not do. It reuses the last verification the process
 * ran (GET /evidence/verify, the check before a checkpoint); only while there is none yet does it
 * start one in the background, never two at once and at most once per minIntervalMs.
 */
export class EvidenceChainProbe {
  private startedAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly options: EvidenceChainProbeOptions) {
    this.now = options.now ?? Date.now;
  }

  read(): boolean | null {
    const known = this.options.lastResult();
    if (known === null && !this.running && this.now() - this.startedAt >= this.options.minIntervalMs) this.start();
    return known;
  }

  private start(): void {
    this.running = true;
    this.startedAt = this.now();
    // The executor runs verify() now and turns a throw into a rejection; neither it nor one from
    // onError() itself may become an unhandled rejection.
    void new Promise<void>((resolve) => resolve(this.options.verify()))
      .catch((err: unknown) => this.options.onError?.(err))
      .catch(() => undefined)
      .finally(() => (this.running = false));
  }
}
