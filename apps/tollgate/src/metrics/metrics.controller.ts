import { Controller, Get, Header, Headers, Res, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import { TollgateConfig } from '@tollgate/config';
import { Public } from '@tollgate/auth';
import { TollgateMetrics } from '@tollgate/metrics';

const digest = (v: string) => createHash('sha256').update(v).digest();

@Controller()
@Public()
export class MetricsController {
  private readonly tokenDigest?: Buffer;

  constructor(
    private readonly metrics: TollgateMetrics,
    config: TollgateConfig,
  ) {
    this.tokenDigest = config.TOLLGATE_METRICS_TOKEN ? digest(config.TOLLGATE_METRICS_TOKEN) : undefined;
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
