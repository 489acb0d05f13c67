/**
 * Cursor and page/count paging the way Slack answers it. Cursors are opaque base64 like Slack's
 * (`dXNlcjpVMEc5V0ZYTlo=`), so clients cannot get away with building them.
 */
export type SlackParams = Map<string, string>;

export interface SlackErrorBody {
  ok: false;
  error: string;
  [key: string]: unknown;
}

export function slackError(error: string, extra: Record<string, unknown> = {}): SlackErrorBody {
  return { ok: false, error, ...extra };
}

export function isSlackError(value: unknown): value is SlackErrorBody {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

let endlessCounter = 0;

function encodeCursor(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function decodeOffset(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const offset = /^offset:(\d+)$/.exec(text);
  if (offset) return Number(offset[1]);
  // An endless-paging cursor always leads back to the first page.
  if (/^endless:\d+$/.test(text)) return 0;
  return undefined;
}

export interface PageOptions {
  defaultLimit: number;
  /** The documented maximum; a larger `limit` is refused with invalid_limit, as Slack does. */
  maxLimit: number;
  /** users.list documents `limit` default 0 ("deliver the entire result set"); elsewhere 0 is out of range. */
  zeroMeansDefault?: boolean;
  /** Tenant-wide cap on page size (test scenarios), on top of the method's own maximum. */
  tenantMax?: number;
  /** Fault: hand out a fresh, never-empty next cursor every time. */
  endless: boolean;
}

function readLimit(raw: string | undefined, options: PageOptions): number | SlackErrorBody {
  if (raw === undefined || raw === '') return options.defaultLimit;
  const value = Number(raw);
  if (value === 0 && options.zeroMeansDefault) return options.defaultLimit;
  if (!Number.isInteger(value) || value < 1 || value > options.maxLimit) return slackError('invalid_limit');
  return value;
}

export function cursorPage<T>(
  items: readonly T[],
  params: SlackParams,
  options: PageOptions,
): { items: T[]; nextCursor: string } | SlackErrorBody {
  const limit = readLimit(params.get('limit'), options);
  if (typeof limit !== 'number') return limit;
  const size = Math.max(1, Math.min(limit, options.tenantMax ?? Infinity));
  const cursor = params.get('cursor');
  let offset = 0;
  if (cursor) {
    const decoded = decodeOffset(cursor);
    if (decoded === undefined) return slackError('invalid_cursor');
    offset = decoded;
  }
  const page = items.slice(offset, offset + size);
  const end = offset + page.length;
  const nextCursor = options.endless
    ? encodeCursor(`endless:${++endlessCounter}`)
    : end < items.length
      ? encodeCursor(`offset:${end}`)
      : '';
  return { items: page, nextCursor };
}

export function countPage<T>(
  items: readonly T[],
  params: SlackParams,
  options: PageOptions,
): { items: T[]; paging: { count: number; total: number; page: number; pages: number } } | SlackErrorBody {
  // team.integrationLogs documents no bound for count (default 100), so a large one is cut, not refused.
  const raw = Number(params.get('count') || options.defaultLimit);
  if (!Number.isInteger(raw) || raw < 1) return slackError('invalid_arguments');
  const count = Math.min(raw, options.maxLimit);
  const size = Math.max(1, Math.min(count, options.tenantMax ?? Infinity));
  const page = Number(params.get('page') ?? '1');
  if (!Number.isInteger(page) || page < 1) return slackError('invalid_page');
  if (options.endless) {
    // Always one more page, and the content never runs out.
    return {
      items: items.slice(0, size),
      paging: { count: size, total: (page + 1) * size, page, pages: page + 1 },
    };
  }
  const pages = Math.max(1, Math.ceil(items.length / size));
  return {
    items: items.slice((page - 1) * size, page * size),
    paging: { count: size, total: items.length, page, pages },
  };
}
