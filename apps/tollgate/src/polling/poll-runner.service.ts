import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { evaluate } from '@tollgate/baseline';
import {
  classifyFailure,
  createProviderHttpClient,
  ProviderPacers,
  type ConnectGuard,
  type ConnectorContext,
  type JsonValue,
  type PollFailureReason,
  type PostureDocument,
} from '@tollgate/connector-sdk';
import { connectorRegistry } from '@tollgate/connectors';
import { DriftRecorder, type ActiveException } from '@tollgate/drift';
import { EvidenceLedger } from '@tollgate/evidence';
import { TollgateMetrics } from '@tollgate/metrics';
import { standingAttestations } from '../attestations/standing-attestations';
import { BaselinesService } from '../baselines/baselines.service';
import { effectiveEndpoints } from '../connections/connection-endpoints';
import { CredentialCipher } from '../connections/credential-cipher';
import { CONNECT_GUARD } from '../core.module';
import { logContext } from '../logging/request-context';
import { driftsOpenedData, WebhookOutbox } from '../webhooks/webhook-outbox';
import { LeaseRepository, nextDelaySeconds, type ClaimedConnection } from './lease.repository';

export class LeaseLostError extends Error {}

/** Connector state is a few timestamps or cursors; anything bigger is a connector bug, failed loudly. */
const MAX_CONNECTOR_STATE_BYTES = 16 * 1024;

export type PollOutcome =
  | { outcome: 'success'; opened: number; changed: number; resolved: number }
  | { outcome: 'failure'; reason: PollFailureReason }
  | { outcome: 'lease-lost' };

/**
 * One poll of one connection: collect from the provider, evaluate against the baseline, and record
 * the snapshot, drift changes and bookkeeping in one transaction fenced by the lease. Every fault
 * ends as a classified, logged, counted failure; a failed poll changes no finding or drift.
 */
@Injectable()
export class PollRunner {
  private readonly logger = new Logger('PollRunner');
  private readonly recorder: DriftRecorder;
  /** Learned request rates per connection, kept across its polls (throttling without Retry-After). */
  private readonly pacers = new ProviderPacers();

  constructor(
    private readonly ds: DataSource,
    private readonly config: TollgateConfig,
    private readonly leases: LeaseRepository,
    private readonly cipher: CredentialCipher,
    private readonly baselines: BaselinesService,
    private readonly metrics: TollgateMetrics,
    private readonly webhooks: WebhookOutbox,
    ledger: EvidenceLedger,
    @Inject(CONNECT_GUARD) private readonly connectGuard: ConnectGuard,
  ) {
    this.recorder = new DriftRecorder(ledger);
  }

  async run(c: ClaimedConnection, worker: string, shutdown: AbortSignal): Promise<PollOutcome> {
    const pollId = randomUUID();
    // Every line written during the poll (connector, http client, recorder) carries these fields.
    return logContext.run({ pollId, connectionId: c.id, connectionName: c.name }, () => this.poll(c, worker, shutdown, pollId));
  }

  private async poll(c: ClaimedConnection, worker: string, shutdown: AbortSignal, pollId: string): Promise<PollOutcome> {
    const started = Date.now();
    const stopTimer = this.metrics.pollDurationSeconds.startTimer({ provider: c.provider });
    const deadline = AbortSignal.any([shutdown, AbortSignal.timeout(this.config.TOLLGATE_POLL_TIMEOUT_SECONDS * 1000)]);
    try {
      const connector = connectorRegistry.get(c.provider);
      if (!connector) throw new Error(`no connector for provider ${c.provider}`);
      let baseline = this.baselines.get(c.baselineId);
      const endpoints = effectiveEndpoints(connector, c.options, c.endpoints, this.config);
      // Opens only for the endpoints the credentials were given for: an endpoint changed in the
      // database fails here, before any request is made.
      const credentials = this.cipher.decrypt(c.credentialsCiphertext, { connectionId: c.id, endpoints });
      const http = createProviderHttpClient({
        provider: c.provider,
        signal: deadline,
        timeoutMs: this.config.TOLLGATE_PROVIDER_TIMEOUT_SECONDS * 1000,
        maxThrottledWaitMs: this.config.TOLLGATE_THROTTLE_WAIT_SECONDS * 1000,
        pacer: this.pacers.for(c.provider, c.id),
        classify: connector.classifyResponse?.bind(connector),
        connectGuard: this.connectGuard,
        onRequest: () => this.metrics.providerRequestsTotal.inc({ provider: c.provider }),
        onThrottled: () => this.metrics.providerThrottledTotal.inc({ provider: c.provider }),
      });
      const previous = await this.previousPoll(c);
      let savedState: JsonValue | undefined;
      const document = await connector.collect({
        connectionId: c.id,
        credentials,
        endpoints,
        options: c.options,
        declaredResidency: c.declaredResidency ?? undefined,
        http,
        signal: deadline,
        logger: {
          debug: (message, fields) => this.logger.debug({ message, pollId, connectionId: c.id, ...fields }),
          warn: (message, fields) => this.logger.warn({ message, pollId, connectionId: c.id, ...fields }),
        },
        ...(previous ? { previous } : {}),
        saveState: (state) => {
          savedState = state;
        },
      });
      const connectorState = savedState;
      if (connectorState !== undefined) {
        const bytes = Buffer.byteLength(JSON.stringify(connectorState));
        if (bytes > MAX_CONNECTOR_STATE_BYTES) throw new Error(`${c.provider} connector saved ${bytes} bytes of state, over the ${MAX_CONNECTOR_STATE_BYTES} limit`);
      }
      if (shutdown.aborted) throw shutdown.reason;
      const attested = await standingAttestations(this.ds, c.id);
      let findings = evaluate(document, baseline, c.parameters, { attestations: attested.byControl, now: new Date() });
      const at = new Date();
      const result = await this.ds.transaction(async (em) => {
        if (!(await this.leases.fence(em, c))) throw new LeaseLostError();
        // The fence holds the connection's row lock. A change to its baseline or parameters that
        // committed while the provider was read has already closed the drifts it made pass (as
        // baseline_changed); findings under the old rules would reopen them. An attestation recorded,
        // revoked or expired meanwhile must not be overwritten by findings computed before it either.
        // So judge the document by the rules and attestations in force now.
        const [rules]: { baseline_id: string; parameters: Record<string, JsonValue> }[] = await em.query(
          `SELECT baseline_id, parameters FROM connections WHERE id = $1`,
          [c.id],
        );
        const current = await standingAttestations(em, c.id);
        const rulesChanged = rules.baseline_id !== baseline.id || JSON.stringify(rules.parameters) !== JSON.stringify(c.parameters);
        if (rulesChanged || current.fingerprint !== attested.fingerprint) {
          baseline = this.baselines.get(rules.baseline_id);
          findings = evaluate(document, baseline, rules.parameters, { attestations: current.byControl, now: at });
        }
        const exceptions: ActiveException[] = await em.query(
          `SELECT id, control_id AS "controlId", resource_key AS "resourceKey" FROM exception_tickets
           WHERE connection_id = $1 AND state = 'approved' AND expires_at > $2`,
          [c.id, at],
        );
        const applied = await this.recorder.apply(em, {
          connectionId: c.id,
          provider: c.provider,
          baselineId: baseline.id,
          pollId,
          now: at,
          document,
          findings,
          exceptions,
          previous: { snapshotId: c.currentSnapshotId, findingsHash: c.findingsHash },
        });
        await this.leases.finishSuccess(em, c, {
          delaySeconds: this.delay(c, 0),
          snapshotId: applied.snapshotId,
          findings,
          findingsHash: applied.findingsHash,
          findingsChanged: applied.findingsChanged,
          at,
          connectorState,
        });
        await em.query(
          `INSERT INTO poll_runs (id, connection_id, worker, started_at, finished_at, outcome, snapshot_id, findings_changed,
                                  drifts_opened, drifts_changed, drifts_resolved)
           VALUES ($1, $2, $3, $4, $5, 'success', $6, $7, $8, $9, $10)`,
          [pollId, c.id, worker, c.claimedAt, at, applied.snapshotId, applied.findingsChanged, applied.opened.length, applied.changed, applied.resolved],
        );
        // Announced when a poll opens a critical drift; excepted-at-birth drifts are recorded, not announced.
        const announced = applied.opened.filter((d) => d.status === 'open');
        if (announced.some((d) => d.severity === 'critical')) {
          await this.webhooks.enqueue(em, 'drifts.opened', at, driftsOpenedData({ pollId, connectionId: c.id, connectionName: c.name, provider: c.provider }, announced));
        }
        return applied;
      });
      // Excepted at birth: recorded, but not an alert.
      for (const d of result.opened) if (d.status === 'open') this.metrics.driftsOpenedTotal.inc({ provider: c.provider, severity: d.severity });
      this.metrics.pollsTotal.inc({ provider: c.provider });
      this.logger.log({
        message: 'poll succeeded',
        pollId,
        connectionId: c.id,
        provider: c.provider,
        durationMs: Date.now() - started,
        findingsChanged: result.findingsChanged,
        driftsOpened: result.opened.length,
        driftsChanged: result.changed,
        driftsResolved: result.resolved,
      });
      return { outcome: 'success', opened: result.opened.length, changed: result.changed, resolved: result.resolved };
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.logger.warn({ message: 'lease lost before the poll could be recorded; another worker owns it', pollId, connectionId: c.id });
        return { outcome: 'lease-lost' };
      }
      if (shutdown.aborted) {
        await this.leases.release(c);
        this.logger.warn({ message: 'poll interrupted by shutdown; lease released', pollId, connectionId: c.id });
        return { outcome: 'lease-lost' };
      }
      return this.recordFailure(c, worker, pollId, err);
    } finally {
      stopTimer();
    }
  }

  private async recordFailure(c: ClaimedConnection, worker: string, pollId: string, err: unknown): Promise<PollOutcome> {
    const { reason, message } = classifyFailure(err);
    const at = new Date();
    this.metrics.pollsTotal.inc({ provider: c.provider });
    this.metrics.pollFailuresTotal.inc({ provider: c.provider, reason });
    const log = { message: 'poll failed', pollId, connectionId: c.id, provider: c.provider, reason, error: message };
    if (reason === 'internal') this.logger.error({ ...log, stack: err instanceof Error ? err.stack : undefined });
    else this.logger.warn(log);
    try {
      await this.ds.transaction(async (em) => {
        if (!(await this.leases.fence(em, c))) throw new LeaseLostError();
        await this.leases.finishFailure(em, c, { delaySeconds: this.delay(c, c.consecutiveFailures + 1), reason, message, at });
        await em.query(
          `INSERT INTO poll_runs (id, connection_id, worker, started_at, finished_at, outcome, failure_reason, failure_message)
           VALUES ($1, $2, $3, $4, $5, 'failure', $6, $7)`,
          [pollId, c.id, worker, c.claimedAt, at, reason, message.slice(0, 2000)],
        );
      });
    } catch (writeErr) {
      // The lease expires by itself and the connection is polled again; nothing half-written remains.
      this.logger.error({ message: 'could not record poll failure', pollId, connectionId: c.id, error: (writeErr as Error).message });
    }
    return { outcome: 'failure', reason };
  }

  /**
   * What the connector may build on: the document of the last successful poll and the state saved
   * with it. Nothing when the connection was edited since (new credentials or endpoints may name
   * another tenant, whose posture must not be grafted onto the old one's), nor when the connector
   * saved no state: only incremental readers save state, and the others would have the document,
   * megabytes for a large tenant, read and parsed on every poll for nothing.
   */
  private async previousPoll(c: ClaimedConnection): Promise<ConnectorContext['previous']> {
    if (c.connectorState === null || !c.currentSnapshotId || !c.lastSuccessAt || c.updatedAt > c.lastSuccessAt) return undefined;
    const rows: { document: PostureDocument }[] = await this.ds.query(`SELECT document FROM snapshots WHERE id = $1`, [c.currentSnapshotId]);
    if (rows.length === 0) return undefined;
    return { document: rows[0].document, state: c.connectorState, at: c.lastSuccessAt };
  }

  private delay(c: ClaimedConnection, failures: number): number {
    return nextDelaySeconds(c.pollIntervalSeconds, failures, this.config.TOLLGATE_POLL_JITTER_RATIO, this.config.TOLLGATE_MAX_BACKOFF_SECONDS);
  }
}
