import { Controller, Get, Header, Headers, Res, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { Public } from '@tollgate/auth';
import { ReadingsCache, TollgateMetrics } from '@tollgate/metrics';
import { PostureReadingsRepository } from './posture-readings.repository';

const digest = (v: string) => createHash('sha256').update(v).digest();

@Controller()
@Public()
export class MetricsController {
  private readonly tokenDigest?: Buffer;

  constructor(
    private readonly metrics: TollgateMetrics,
    config: TollgateConfig,
    ds: DataSource,
  ) {
    this.tokenDigest = config.TOLLGATE_METRICS_TOKEN ? digest(config.TOLLGATE_METRICS_TOKEN) : undefined;
    // The database-derived gauges exist where /metrics is served; a cache keeps a scrape fast and
    // answering (with tollgate_database_up 0) while the database is slow or gone.
    const repository = new PostureReadingsRepository(ds);
    metrics.useReadings(new ReadingsCache(() => repository.read()));
  }

  /** Prometheus exposition; with TOLLGATE_METRICS_TOKEN set it needs `Authorization: Bearer <token>`. */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (this.tokenDigest) {
      const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(presented), this.tokenDigest)) throw new UnauthorizedException('metrics token required');
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
