import { BadRequestException, Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { DriftQuery, toView } from '@tollgate/drift';
import { ApiErrors } from '../common/api-errors';
import { CSV_COLUMNS, csvWriter } from './drift-csv';
import { EXPORT_RETRY_AFTER_SECONDS, ExportSlots, ExportSlotsTaken } from './export-slots';
import { freshness } from './posture-freshness';
import { DriftReport, OverviewReport, PostureReport } from './reports.response';

export class DriftReportQuery {
  @ApiPropertyOptional({ description: 'Start of the range; absent: all history.', format: 'date-time', example: '2025-01-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'End of the range (exclusive); absent: now. Must be after `since`.', format: 'date-time' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ description: 'Response format.', enum: ['json', 'csv'], default: 'json' })
  @IsOptional() @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/**
 * Waits for back-pressure to clear; false when the client read nothing for `stallMs` (or left).
 * Both listeners go when either fires: racing two once() calls left the loser attached, one more
 * per wait, which over a million-row export meant thousands of listeners, their closures kept
 * alive and time in the garbage collector (docs/performance.md).
 */
function drainedOrClosed(res: Response, stallMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (drained: boolean) => () => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(drained);
    };
    const onDrain = done(true);
    const onClose = done(false);
    const timer = setTimeout(done(false), stallMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** SQL: the open drifts of connection `c` as a severity-to-count object (null when none); read with openBySeverity. */
const OPEN_BY_SEVERITY = `(SELECT jsonb_object_agg(severity, n) FROM (SELECT severity, count(*)::int AS n FROM drifts d
   WHERE d.connection_id = c.id AND d.status = 'open' GROUP BY severity) s)`;

/** A connection row's freshness: one rule for the posture report and the overview (posture-freshness.ts). */
function rowFreshness(
  r: { enabled: boolean; poll_interval_seconds: number; consecutive_failures: number; last_failure_reason?: string | null; last_success_at: Date | null },
  now: Date,
) {
  return freshness(
    {
      enabled: r.enabled,
      pollIntervalSeconds: r.poll_interval_seconds,
      consecutiveFailures: r.consecutive_failures,
      lastFailureReason: r.last_failure_reason ?? null,
      lastSuccessAt: r.last_success_at,
    },
    now,
  );
}

/** Open drifts by severity (OpenDriftCounts) from a severity-to-count aggregate; severities without one count 0. */
function openBySeverity(open: Record<string, number> | null) {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, ...(open ?? {}) };
}

@ApiTags('reports')
@ApiExtraModels(DriftReport)
@Controller('reports')
export class ReportsController {
  private readonly logger = new Logger('Reports');

  constructor(
    private readonly drifts: DriftQuery,
    private readonly ds: DataSource,
    private readonly slots: ExportSlots,
    private readonly config: TollgateConfig,
  ) {}

  /**
   * Drift episodes overlapping [since, until) as JSON or RFC 4180 CSV (header row, CRLF, ISO-8601 UTC
   * times), streamed in batches with back-pressure: memory stays flat for millions of rows. Exports
   * at once are bounded per key and in all (ExportSlots), and a client that stops reading is cut
   * after TOLLGATE_EXPORT_STALL_SECONDS: a stalled export would otherwise keep its slot, its rows
   * and its socket for as long as the client cares to hold them.
   */
  @Get('drift')
  @RequireRoles(...READERS)
  @ApiOperation({
    summary: 'Drift report',
    description:
      'Every drift episode overlapping [since, until), oldest first, as JSON or as RFC 4180 CSV (header row, CRLF, ISO-8601 UTC times; ' +
      'a cell a spreadsheet would run as a formula starts with a quote). Streamed: any size. A few exports run at once per key and per ' +
      'replica (429 with Retry-After past that); a client that stops reading is disconnected. Roles: every role.',
  })
  @ApiOkResponse({
    description: 'The report: JSON by default, CSV with `format=csv` (as an attachment).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(DriftReport) } },
      'text/csv': {
        schema: { type: 'string', description: `Columns: ${CSV_COLUMNS.join(', ')}.` },
        example: `${CSV_COLUMNS.join(',')}\r\n`,
      },
    },
  })
  @ApiErrors(
    [400, 'A query value is invalid, or `since` is not before `until`.'],
    401,
    403,
    [429, 'Too many requests, or too many exports running for this key or on this replica; retry after the seconds in `Retry-After`.'],
  )
  async drift(@Query() q: DriftReportQuery, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const since = q.since ? new Date(q.since) : undefined;
    const until = q.until ? new Date(q.until) : new Date();
    if (since && since >= until) throw new BadRequestException('since must be before until');
    const format = q.format ?? 'json';
    let release: () => void;
    try {
      release = this.slots.take(req.principal?.keyId ?? 'bootstrap');
    } catch (err) {
      if (err instanceof ExportSlotsTaken) res.setHeader('Retry-After', String(EXPORT_RETRY_AFTER_SECONDS));
      throw err;
    }
    const stallMs = this.config.TOLLGATE_EXPORT_STALL_SECONDS * 1000;
    let closed = false;
    res.on('close', () => {
      closed = true;
      release();
    });
    const write = async (chunk: string) => {
      if (closed || res.write(chunk)) return;
      if (!(await drainedOrClosed(res, stallMs)) && !closed) {
        this.logger.warn({ message: 'export cut: the client read nothing for too long', stallSeconds: this.config.TOLLGATE_EXPORT_STALL_SECONDS });
        closed = true;
        // Closing the socket is the only way to stop a response that has started; the client sees a truncated body.
        res.destroy();
      }
    };
    try {
      res.status(200);
      res.setHeader('Cache-Control', 'no-store');
      if (format === 'csv') {
        res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
        res.setHeader('Content-Disposition', 'attachment; filename="tollgate-drift-report.csv"');
        await write(`${CSV_COLUMNS.join(',')}\r\n`);
      } else {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        await write(`{"since":${JSON.stringify(since?.toISOString() ?? null)},"until":${JSON.stringify(until.toISOString())},"items":[`);
      }
      let first = true;
      const csvLine = csvWriter();
      for await (const batch of this.drifts.overlapping({ since, until, connectionIds: req.principal?.connectionIds })) {
        // Leaving the loop ends the generator: no further batch is read for a client that is gone.
        if (closed) return;
        if (format === 'csv') await write(batch.map(csvLine).join(''));
        else {
          await write((first ? '' : ',') + batch.map((d) => JSON.stringify(toView(d))).join(','));
          first = false;
        }
      }
      if (!closed) res.end(format === 'csv' ? undefined : ']}');
    } finally {
      release();
    }
  }

  /**
   * Per connection: the current score, findings and open drifts by severity. A connection whose
   * findings may no longer describe the tenant (posture-freshness.ts) is `stale`, says why, and has
   * no score: a score from old findings would read as the tenant's current posture.
   */
  @Get('posture')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Posture report', description: 
      'Per connection: the current score, findings (attested ones listed with who attested and until when) and open drifts by severity. ' +
      'A connection whose last poll failed, with no successful poll within two poll intervals, or never polled successfully is `stale`: ' +
      '`staleReason` says why, `score` is null, and the findings are those of the last successful poll (`evaluatedAt`). Roles: every role.',
  })
  @ApiOkResponse({ description: 'The report.', type: PostureReport })
  @ApiErrors(401, 403, 429)
  async posture(@Req() req: AuthenticatedRequest) {
    const scope = req.principal?.connectionIds ?? null;
    const rows: {
      id: string; name: string; provider: string; baseline_id: string; last_success_at: Date | null; consecutive_failures: number;
      enabled: boolean; poll_interval_seconds: number; last_failure_reason: string | null;
      evaluated_at: Date | null; pass: number; fail: number; unknown: number; open: Record<string, number> | null; excepted: number;
      attested: { controlId: string; attestedBy: string; expiresAt: string }[] | null;
    }[] = await this.ds.query(
      `SELECT c.id, c.name, c.provider, c.baseline_id, c.last_success_at, c.consecutive_failures, c.findings_confirmed_at AS evaluated_at,
              c.enabled, c.poll_interval_seconds, c.last_failure_reason,
              f.pass, f.fail, f.unknown, f.attested,
              ${OPEN_BY_SEVERITY} AS open,
              (SELECT count(*)::int FROM drifts d WHERE d.connection_id = c.id AND d.status = 'excepted') AS excepted
       FROM connections c
       -- One walk of the findings (one per control and resource: thousands on a large tenant), not one per status.
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE e->>'status' = 'pass')::int AS pass, count(*) FILTER (WHERE e->>'status' = 'fail')::int AS fail,
                count(*) FILTER (WHERE e->>'status' = 'unknown')::int AS unknown,
                jsonb_agg(jsonb_build_object('controlId', e->>'controlId', 'attestedBy', e->'attestation'->>'attestedBy',
                                             'expiresAt', e->'attestation'->>'expiresAt') ORDER BY e->>'controlId')
                  FILTER (WHERE e->>'status' = 'pass' AND e->'attestation' IS NOT NULL) AS attested
         FROM jsonb_array_elements(coalesce(c.findings, '[]')) e) f
       WHERE c.deleted_at IS NULL AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[]))
       ORDER BY lower(c.name)`,
      [scope],
    );
    const now = new Date();
    return {
      generatedAt: now.toISOString(),
      items: rows.map((r) => {
        const { stale, staleReason } = rowFreshness(r, now);
        return {
          connectionId: r.id,
          name: r.name,
          provider: r.provider,
          baselineId: r.baseline_id,
          // Unknown findings are left out of the score: they neither pass nor fail.
          score: !stale && r.pass + r.fail > 0 ? r.pass / (r.pass + r.fail) : null,
          stale,
          staleReason,
          findings: { pass: r.pass, fail: r.fail, unknown: r.unknown, attested: r.attested?.length ?? 0 },
          // Controls that pass on an approver's word, not on what the API showed: who and until when.
          attestedControls: r.attested ?? [],
          openDrifts: openBySeverity(r.open),
          exceptedDrifts: r.excepted,
          evaluatedAt: r.evaluated_at?.toISOString() ?? null,
          lastSuccessAt: r.last_success_at?.toISOString() ?? null,
          up: r.consecutive_failures === 0 && r.last_success_at !== null,
        };
      }),
    };
  }

  /**
   * Everything the console's overview shows, in one read, so that it stays fast at 1,000 connections.
   * Findings are stored only as the latest evaluation, so the score's history is rebuilt from drift
   * episodes: on a past day, 1 − (episodes active at its end ÷ decided findings now). Measured against
   * today's denominator, it shows failing findings over time, not changes in the baseline's size.
   */
  @Get('overview')
  @RequireRoles(...READERS)
  @ApiOperation({
    summary: 'Overview for the console',
    description:
      'Per connection: the score now, 30 and 90 days ago (from drift history: 1 − episodes active at the end of that UTC day ÷ ' +
      'decided findings now), open drifts by severity, whether it is down or stale. For all: a 90-day trend, drifts opened, ' +
      'resolved (remediated or baseline_changed) and excepted in the last 7 days, and approved exceptions expiring within 7 days. ' +
      'Roles: every role.',
  })
  @ApiOkResponse({ description: 'The overview.', type: OverviewReport })
  @ApiErrors(401, 403, 429)
  async overview(@Req() req: AuthenticatedRequest) {
    const scope = req.principal?.connectionIds ?? null;
    const now = new Date();
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    const inWeek = new Date(now.getTime() + 7 * 86_400_000);
    const days: string[] = [];
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    for (let i = 90; i >= 0; i--) days.push(new Date(today - i * 86_400_000).toISOString().slice(0, 10));
    const windowStart = new Date(today - 90 * 86_400_000);
    type ConnectionRow = {
      id: string; name: string; provider: string; enabled: boolean; poll_interval_seconds: number;
      last_success_at: Date | null; consecutive_failures: number; pass: number; fail: number; open: Record<string, number> | null;
    };
    type Move = { connection_id: string; kind: 'opened' | 'resolved'; bucket: number; n: number };
    type Week = { opened: number; remediated: number; baseline_changed: number; excepted: number };
    type Expiring = { id: string; connection_id: string; name: string; control_id: string; resource_key: string | null; expires_at: Date };
    // Independent reads, side by side: the overview waits for the slowest, not for their sum.
    const [connections, moves, [week], expiring] = (await Promise.all([
    this.ds.query(
      `SELECT c.id, c.name, c.provider, c.enabled, c.poll_interval_seconds, c.last_success_at, c.consecutive_failures,
              f.pass, f.fail,
              ${OPEN_BY_SEVERITY} AS open
       FROM connections c
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE e->>'status' = 'pass')::int AS pass, count(*) FILTER (WHERE e->>'status' = 'fail')::int AS fail
         FROM jsonb_array_elements(coalesce(c.findings, '[]')) e) f
       WHERE c.deleted_at IS NULL AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[]))`,
      [scope],
    ),
    // Episodes opened and resolved per connection and UTC day of the window (earlier ones in day 0): one
    // pass over the drifts; the running sum below gives the episodes active at the end of each day.
    this.ds.query(
      `SELECT m.connection_id, m.kind, greatest(0, floor(extract(epoch FROM m.at - $2::timestamptz) / 86400))::int AS bucket, count(*)::int AS n
       FROM (SELECT d.connection_id, 'opened' AS kind, d.opened_at AS at FROM drifts d
             UNION ALL SELECT d.connection_id, 'resolved', d.resolved_at FROM drifts d WHERE d.resolved_at IS NOT NULL) m
       JOIN connections c ON c.id = m.connection_id
       WHERE c.deleted_at IS NULL AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[]))
       GROUP BY 1, 2, 3`,
      [scope, windowStart],
    ),
    this.ds.query(
      `SELECT count(*) FILTER (WHERE d.opened_at >= $2)::int AS opened,
              count(*) FILTER (WHERE d.resolved_at >= $2 AND d.resolution = 'remediated')::int AS remediated,
              count(*) FILTER (WHERE d.resolved_at >= $2 AND d.resolution = 'baseline_changed')::int AS baseline_changed,
              (SELECT count(DISTINCT e.drift_id)::int FROM drift_events e JOIN drifts x ON x.id = e.drift_id JOIN connections xc ON xc.id = x.connection_id
                WHERE e.kind = 'excepted' AND e.occurred_at >= $2 AND xc.deleted_at IS NULL AND ($1::uuid[] IS NULL OR xc.id = ANY($1::uuid[]))) AS excepted
       FROM drifts d JOIN connections c ON c.id = d.connection_id
       WHERE c.deleted_at IS NULL AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[])) AND (d.opened_at >= $2 OR d.resolved_at >= $2)`,
      [scope, weekAgo],
    ),
    this.ds.query(
        `SELECT t.id, t.connection_id, c.name, t.control_id, t.resource_key, t.expires_at
         FROM exception_tickets t JOIN connections c ON c.id = t.connection_id
         WHERE t.state = 'approved' AND t.expires_at < $2 AND c.deleted_at IS NULL AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[]))
         ORDER BY t.expires_at, t.id LIMIT 500`,
        [scope, inWeek],
      )
    ])) as [ConnectionRow[], Move[], Week[], Expiring[]];
    const active = new Map<string, number[]>();
    for (const m of moves) {
      const counts = active.get(m.connection_id) ?? new Array<number>(days.length).fill(0);
      active.set(m.connection_id, counts);
      if (m.bucket < days.length) counts[m.bucket] += m.kind === 'opened' ? m.n : -m.n;
    }
    for (const counts of active.values()) for (let i = 1; i < counts.length; i++) counts[i] += counts[i - 1];
    const decided = new Map(connections.map((c) => [c.id, c.pass + c.fail]));
    const scoreAt = (id: string, day: number): number | null => {
      const n = decided.get(id) ?? 0;
      return n > 0 ? Math.max(0, 1 - (active.get(id)?.[day] ?? 0) / n) : null;
    };
    const trend = days.map((day, i) => {
      let sum = 0;
      let counted = 0;
      let activeDrifts = 0;
      for (const c of connections) {
        activeDrifts += active.get(c.id)?.[i] ?? 0;
        const s = scoreAt(c.id, i);
        if (s === null) continue;
        sum += s;
        counted++;
      }
      return { day, score: counted > 0 ? sum / counted : null, activeDrifts };
    });
    const openDrifts = openBySeverity(null);
    const items = connections.map((c) => {
      const open = openBySeverity(c.open);
      for (const k of Object.keys(openDrifts) as (keyof typeof openDrifts)[]) openDrifts[k] += open[k];
      // One rule with the posture report (posture-freshness.ts): failing, overdue or never polled.
      const { stale } = rowFreshness(c, now);
      return {
        connectionId: c.id,
        name: c.name,
        provider: c.provider,
        score: c.pass + c.fail > 0 ? c.pass / (c.pass + c.fail) : null,
        score30dAgo: scoreAt(c.id, 60),
        score90dAgo: scoreAt(c.id, 0),
        openDrifts: open,
        up: c.consecutive_failures === 0 && c.last_success_at !== null,
        stale,
        consecutiveFailures: c.consecutive_failures,
        lastSuccessAt: c.last_success_at?.toISOString() ?? null,
      };
    });
    // Worst first: what needs attention leads; no score sorts last.
    items.sort((a, b) => (a.score ?? 2) - (b.score ?? 2) || a.name.localeCompare(b.name));
    return {
      generatedAt: now.toISOString(),
      openDrifts,
      trend,
      week: {
        since: weekAgo.toISOString(),
        opened: week.opened,
        resolved: { remediated: week.remediated, baselineChanged: week.baseline_changed },
        excepted: week.excepted,
      },
      expiringExceptions: expiring.map((e) => ({
        id: e.id,
        connectionId: e.connection_id,
        connectionName: e.name,
        controlId: e.control_id,
        resourceKey: e.resource_key,
        expiresAt: e.expires_at.toISOString(),
      })),
      connections: items,
    };
  }
}
