import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { pendingMigrations, type Database } from '@tollgate/database';
import { Public } from '@tollgate/auth';
import { DATABASE } from '../core.module';
import { ApiErrors } from '../common/api-errors';
import { Liveness, Readiness } from './health.response';

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

// The JSON body parser runs before every route, probes included; probes send no body, so this is
// the only client error they can answer.
const BODY_REFUSED = 'A request body was sent and is not valid JSON (probes need none).';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The process is alive; says nothing of its dependencies. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness probe', description: 'The process is alive; says nothing of its dependencies. No API key needed.', security: [] })
  @ApiOkResponse({ description: 'Alive.', type: Liveness })
  @ApiErrors([400, BODY_REFUSED])
  healthz() {
    return { status: 'ok' };
  }

  /** Ready to serve: the database answers and every migration is applied. */
  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness probe',
    description: 'Ready to serve: the database answers and every migration is applied. No API key needed.',
    security: [],
  })
  @ApiOkResponse({ description: 'Ready.', type: Readiness })
  @ApiErrors([400, BODY_REFUSED], [503, 'Not ready: the database does not answer within 2 s, or migrations are pending (`message` says which).'])
  async readyz() {
    try {
      await within(2000, this.db.dataSource.query('SELECT 1'));
      const pending = await within(2000, pendingMigrations(this.db.dataSource));
      if (pending > 0) throw new Error(`${pending} migrations pending`);
      return { status: 'ready', database: 'up', migrations: 'applied' };
    } catch (err) {
      throw new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: `not ready: ${(err as Error).message}` });
    }
  }
}
