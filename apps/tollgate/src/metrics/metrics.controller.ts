import { Controller, Get, Header, Headers, Logger, Res, UnauthorizedException, type OnModuleDestroy } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { Public } from '@tollgate/auth';
import { DEFAULT_READINGS_CACHE, EvidenceChainProbe, ReadingsCache, TollgateMetrics } from '@tollgate/metrics';
import { EvidenceCheckpointer } from '../evidence/evidence-checkpoint.service';
import { PostureReadingsRepository } from './posture-readings.repository';
import { ApiErrors } from '../common/api-errors';

const digest = (v: string) => createHash('sha256').update(v).digest();

@ApiTags('metrics')
@Controller()
@Public()
export class MetricsController implements OnModuleDestroy {
  private readonly tokenDigest?: Buffer;
  private readonly readings: ReadingsCache;

  constructor(
    private readonly metrics: TollgateMetrics,
    config: TollgateConfig,
    ds: DataSource,
    checkpointer: EvidenceCheckpointer,
  ) {
    this.tokenDigest = config.TOLLGATE_METRICS_TOKEN ? digest(config.TOLLGATE_METRICS_TOKEN) : undefined;
    const logger = new Logger('Metrics');
    const chain = new EvidenceChainProbe({
      lastResult: () => checkpointer.chainOk,
      verify: async () => {
        await checkpointer.verifyAll();
      },
      minIntervalMs: config.TOLLGATE_CHECKPOINT_INTERVAL_SECONDS * 1000,
      onError: (err) => logger.warn({ message: 'could not verify the evidence ledger for tollgate_evidence_chain_ok', error: (err as Error).message }),
    });
    // The database-derived gauges exist where /metrics is served; the cache reads the database in
    // the background while someone scrapes, so a scrape never waits for it and answers (with
    // tollgate_database_up 0) while the database is slow or gone.
    const repository = new PostureReadingsRepository(ds);
    this.readings = new ReadingsCache(async () => ({ ...(await repository.read()), evidenceChainOk: chain.read() }), {
      ...DEFAULT_READINGS_CACHE,
      onListenerError: (err) => logger.error({ message: 'could not set the metrics from a database reading', error: (err as Error).message }),
    });
    metrics.useReadings(this.readings);
  }

  /** Before the database closes (onApplicationShutdown), so that no refresh runs into a closed pool. */
  onModuleDestroy(): void {
    this.readings.close();
  }

  /** Prometheus exposition; with TOLLGATE_METRICS_TOKEN set it needs `Authorization: Bearer <token>`. */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Prometheus text exposition format 0.0.4. No API key: when TOLLGATE_METRICS_TOKEN is set, it needs `Authorization: Bearer <that token>`.',
    security: [],
  })
  @ApiOkResponse({
    description: 'The metrics.',
    content: {
      'text/plain': {
        schema: { type: 'string', description: 'Prometheus text exposition format 0.0.4.' },
        example: '# TYPE tollgate_database_up gauge\ntollgate_database_up 1\n',
      },
    },
  })
  @ApiErrors([401, 'TOLLGATE_METRICS_TOKEN is set and the request does not carry it.'])
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (this.tokenDigest) {
      const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(presented), this.tokenDigest)) throw new UnauthorizedException('metrics token required');
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
