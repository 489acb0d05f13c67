import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { TollgateConfig } from '@tollgate/config';

/** What a refused export is told to wait: an export of a large history takes seconds, not minutes. */
export const EXPORT_RETRY_AFTER_SECONDS = 5;

export class ExportSlotsTaken extends HttpException {
  constructor(readonly reason: string) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message: `${reason}: retry after the number of seconds in Retry-After` }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Counts the streaming exports running on this replica, per API key and in all. An export holds
 * the event loop while it formats rows and a database round trip per batch; without a bound, one
 * key with a hundred parallel exports starved every other request (issue 11: /healthz took 6 s).
 * In memory and per replica, like the request rate limit.
 */
@Injectable()
export class ExportSlots {
  private readonly perKey = new Map<string, number>();
  private total = 0;

  constructor(private readonly config: TollgateConfig) {}

  /** Takes a slot for `keyId` or throws ExportSlotsTaken; the returned function gives it back (once). */
  take(keyId: string): () => void {
    const held = this.perKey.get(keyId) ?? 0;
    if (held >= this.config.TOLLGATE_EXPORTS_PER_KEY) {
      throw new ExportSlotsTaken(`this API key already runs ${held} exports, the most TOLLGATE_EXPORTS_PER_KEY allows`);
    }
    if (this.total >= this.config.TOLLGATE_EXPORTS_MAX) {
      throw new ExportSlotsTaken(`${this.total} exports are running, the most TOLLGATE_EXPORTS_MAX allows`);
    }
    this.perKey.set(keyId, held + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perKey.get(keyId) ?? 1) - 1;
      if (left > 0) this.perKey.set(keyId, left);
      else this.perKey.delete(keyId);
    };
  }

  get running(): number {
    return this.total;
  }
}
