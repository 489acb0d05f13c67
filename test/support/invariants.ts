import type { Client } from 'pg';

/**
 * What must hold of the recorded history whatever crashed while it was written, checked from the
 * rows themselves (Jepsen style: count the effects, never trust the writer's own bookkeeping).
 * Returns one line per violation; an empty list means the history is whole and free of duplicates.
 */
export async function historyViolations(pg: Client): Promise<string[]> {
  const problems: string[] = [];
  const check = async (what: string, sql: string): Promise<void> => {
    const { rows } = await pg.query(sql);
    for (const row of rows.slice(0, 5)) problems.push(`${what}: ${JSON.stringify(row)}`);
    if (rows.length > 5) problems.push(`${what}: ... ${rows.length - 5} more`);
  };

  await check(
    'more than one active drift for a key',
    `SELECT connection_id, control_id, resource_key, count(*)::int AS n FROM drifts WHERE status <> 'resolved'
     GROUP BY connection_id, control_id, resource_key HAVING count(*) > 1`,
  );
  await check(
    'drift episodes of one key overlap',
    `SELECT id, opened_at, prev_resolved_at FROM (
       SELECT id, opened_at, lag(resolved_at) OVER w AS prev_resolved_at, lag(id) OVER w AS prev_id
       FROM drifts WINDOW w AS (PARTITION BY connection_id, control_id, resource_key ORDER BY opened_at, id)) x
     WHERE prev_id IS NOT NULL AND (prev_resolved_at IS NULL OR prev_resolved_at > opened_at)`,
  );
  await check(
    'a drift whose events do not start with one opened, or whose resolved events disagree with its status',
    `SELECT d.id, d.status, array_agg(e.kind ORDER BY e.id) AS kinds FROM drifts d LEFT JOIN drift_events e ON e.drift_id = d.id
     GROUP BY d.id, d.status
     HAVING (array_agg(e.kind ORDER BY e.id))[1] IS DISTINCT FROM 'opened'
         OR count(*) FILTER (WHERE e.kind = 'opened') <> 1
         OR count(*) FILTER (WHERE e.kind = 'resolved') <> CASE WHEN d.status = 'resolved' THEN 1 ELSE 0 END`,
  );
  await check(
    'a drift event without its ledger entry, or a ledger entry without its event',
    `WITH ev AS (SELECT 'drift.' || kind AS kind, drift_id::text AS drift_id, poll_id::text AS poll_id, count(*)::int AS n
                 FROM drift_events GROUP BY 1, 2, 3),
          led AS (SELECT kind, data->>'driftId' AS drift_id, data->>'pollId' AS poll_id, count(*)::int AS n
                  FROM evidence_ledger WHERE kind LIKE 'drift.%' GROUP BY 1, 2, 3)
     SELECT ev.kind, ev.drift_id, ev.poll_id, ev.n AS events, led.n AS entries
     FROM ev FULL JOIN led ON led.kind = ev.kind AND led.drift_id = ev.drift_id AND led.poll_id IS NOT DISTINCT FROM ev.poll_id
     WHERE ev.n IS DISTINCT FROM 1 OR led.n IS DISTINCT FROM 1`,
  );
  await check(
    'a drift event of a poll that did not succeed',
    `SELECT e.id, e.poll_id FROM drift_events e LEFT JOIN poll_runs p ON p.id = e.poll_id AND p.outcome = 'success'
     WHERE e.poll_id IS NOT NULL AND p.id IS NULL`,
  );
  await check(
    'a successful poll whose counts disagree with its drift events',
    `SELECT p.id, p.drifts_opened, p.drifts_resolved,
            count(e.id) FILTER (WHERE e.kind = 'opened')::int AS opened, count(e.id) FILTER (WHERE e.kind = 'resolved')::int AS resolved
     FROM poll_runs p LEFT JOIN drift_events e ON e.poll_id = p.id WHERE p.outcome = 'success'
     GROUP BY p.id HAVING p.drifts_opened <> count(e.id) FILTER (WHERE e.kind = 'opened')
                      OR p.drifts_resolved <> count(e.id) FILTER (WHERE e.kind = 'resolved')`,
  );
  await check(
    'a snapshot no successful poll recorded (a partial write)',
    `SELECT s.id FROM snapshots s WHERE NOT EXISTS (SELECT 1 FROM poll_runs p WHERE p.snapshot_id = s.id AND p.outcome = 'success')`,
  );
  await check(
    'a successful poll whose snapshot is missing',
    `SELECT p.id FROM poll_runs p LEFT JOIN snapshots s ON s.id = p.snapshot_id WHERE p.outcome = 'success' AND s.id IS NULL`,
  );
  await check(
    'a connection whose current snapshot is not the one of its last successful poll',
    `SELECT c.id, c.current_snapshot_id, last.snapshot_id FROM connections c
     LEFT JOIN LATERAL (SELECT snapshot_id FROM poll_runs p WHERE p.connection_id = c.id AND p.outcome = 'success'
                        ORDER BY finished_at DESC LIMIT 1) last ON true
     WHERE c.current_snapshot_id IS DISTINCT FROM last.snapshot_id`,
  );
  return problems;
}
