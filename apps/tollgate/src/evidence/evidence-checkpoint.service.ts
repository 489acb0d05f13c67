import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TollgateConfig } from '@tollgate/config';
import { CheckpointSigner, EvidenceStore, GENESIS_HASH, verifyLedger, type CheckpointRow, type VerifyReport } from '@tollgate/evidence';

const TICK = 'evidence-checkpoint';
/** Checked at least this often, so a restart never postpones a due checkpoint by a whole interval. */
const MAX_TICK_SECONDS = 60;

export type CheckpointOutcome =
  | { status: 'written'; checkpoint: CheckpointRow }
  /** Nothing new since the last checkpoint, or another replica signed this head first. */
  | { status: 'unchanged'; checkpoint: CheckpointRow | null }
  /** The entries since the last checkpoint do not verify: signing them would bless tampering. */
  | { status: 'refused'; checkpoint: null; firstBadSeq: number | null; problem: string };

/**
 * Signs the ledger's head on the worker role once per TOLLGATE_CHECKPOINT_INTERVAL_SECONDS, when it
 * has moved. Replicas may race: the checkpoint's primary key keeps one per seq (ON CONFLICT DO
 * NOTHING). Before signing, the entries since the last checkpoint are verified from it, so a
 * checkpoint never vouches for rows that were already altered.
 */
@Injectable()
export class EvidenceCheckpointer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EvidenceCheckpointer');
  private running: Promise<CheckpointOutcome> | null = null;
  /**
   * Whether the chain held at the last verification this process ran (a full GET /evidence/verify
   * or the incremental check before a checkpoint); null before the first. The source for the
   * tollgate_evidence_chain_ok gauge.
   */
  chainOk: boolean | null = null;

  constructor(
    private readonly config: TollgateConfig,
    private readonly store: EvidenceStore,
    private readonly signer: CheckpointSigner,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TOLLGATE_ROLE === 'api') return;
    const every = Math.min(this.config.TOLLGATE_CHECKPOINT_INTERVAL_SECONDS, MAX_TICK_SECONDS) * 1000;
    this.registry.addInterval(TICK, setInterval(() => void this.tick(), every));
  }

  beforeApplicationShutdown(): void {
    if (this.registry.doesExist('interval', TICK)) this.registry.deleteInterval(TICK);
  }

  /**
   * Verifies the whole chain against the stored checkpoints (what GET /evidence/verify answers) and
   * remembers the outcome for tollgate_evidence_chain_ok.
   */
  async verifyAll(): Promise<VerifyReport> {
    // Checkpoints first, then the head: every checkpoint read is then at or below the head read.
    const checkpoints = await this.store.checkpoints();
    const head = await this.store.head();
    const report = await verifyLedger(this.store.stream(0, head?.seq ?? 0), checkpoints, this.signer.publicKey);
    this.chainOk = report.ok;
    return report;
  }

  /** A checkpoint when the last one is older than the interval; errors are logged, never thrown. */
  async tick(now = new Date()): Promise<CheckpointOutcome | null> {
    try {
      const last = await this.store.lastCheckpoint();
      if (last && now.getTime() - Date.parse(last.signedAt) < this.config.TOLLGATE_CHECKPOINT_INTERVAL_SECONDS * 1000) return null;
      const outcome = await this.checkpointNow(now);
      // Also the rows below the last checkpoint: an edit there must show without anyone asking.
      await this.verifyAll();
      return outcome;
    } catch (err) {
      // Database unreachable: the next tick tries again.
      this.logger.warn({ message: 'could not write an evidence checkpoint', error: (err as Error).message });
      return null;
    }
  }

  /** Signs the current head now if it moved since the last checkpoint; public so tests and operators can force one. */
  checkpointNow(now = new Date()): Promise<CheckpointOutcome> {
    // One at a time per process: a second caller shares the running one's outcome.
    this.running ??= this.checkpoint(now).finally(() => (this.running = null));
    return this.running;
  }

  /**
   * The current head, signed now, for GET /evidence/head: an auditor checks a copy against it, so a
   * copy missing its newest entries is caught without waiting for the next checkpoint. It is not
   * stored: it vouches only for this moment, every auditor request would add a row, and the stored
   * checkpoints stay one per interval. Like a checkpoint, it is refused while the entries since the
   * last checkpoint do not verify. seq 0 (the genesis hash) for an empty ledger.
   */
  async signedHead(now = new Date()): Promise<{ status: 'signed'; head: CheckpointRow } | Extract<CheckpointOutcome, { status: 'refused' }>> {
    const last = await this.store.lastCheckpoint();
    const head = (await this.store.head()) ?? { seq: 0, hash: GENESIS_HASH };
    if (!last || head.seq > last.seq) {
      const problem = await this.problemSince(last, head);
      if (problem) return problem;
    }
    return { status: 'signed', head: this.signer.signCheckpoint({ seq: head.seq, hash: head.hash, signedAt: now.toISOString() }) };
  }

  /** Verifies the entries after the last checkpoint up to head; a refusal outcome when they do not hold. */
  private async problemSince(last: CheckpointRow | null, head: { seq: number; hash: string }): Promise<Extract<CheckpointOutcome, { status: 'refused' }> | null> {
    const from = last ? { seq: last.seq, hash: last.hash } : undefined;
    const report = await verifyLedger(this.store.stream(last?.seq ?? 0, head.seq), [], this.signer.publicKey, { from });
    // A partial check can only prove the chain broken; it never overrides a full check's "broken".
    if (!report.ok) this.chainOk = false;
    if (!report.ok || report.headSeq !== head.seq || (report.headHash ?? GENESIS_HASH) !== head.hash) {
      const problem = report.problem ?? `the ledger changed while it was read (head ${head.seq})`;
      this.logger.error({ message: 'refusing to sign the evidence head: the ledger does not verify', firstBadSeq: report.firstBadSeq, problem });
      return { status: 'refused', checkpoint: null, firstBadSeq: report.firstBadSeq, problem };
    }
    return null;
  }

  private async checkpoint(now: Date): Promise<CheckpointOutcome> {
    const last = await this.store.lastCheckpoint();
    const head = await this.store.head();
    if (!head || (last && head.seq <= last.seq)) return { status: 'unchanged', checkpoint: last };

    const refused = await this.problemSince(last, head);
    if (refused) return refused;

    const checkpoint = this.signer.signCheckpoint({ seq: head.seq, hash: head.hash, signedAt: now.toISOString() });
    if (!(await this.store.insertCheckpoint(checkpoint))) return { status: 'unchanged', checkpoint: await this.store.lastCheckpoint() };
    this.logger.log({ message: 'evidence checkpoint signed', seq: checkpoint.seq, keyId: checkpoint.keyId });
    return { status: 'written', checkpoint };
  }
}
