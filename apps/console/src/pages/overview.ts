import { ApiError, get, type Session } from '../api';
import { scoreTrend } from '../chart';
import { h, percent, severityBadge, table, when } from '../dom';
import { canAudit } from '../roles';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
type Counts = Record<(typeof SEVERITIES)[number], number>;

interface Overview {
  generatedAt: string;
  openDrifts: Counts;
  trend: { day: string; score: number | null; activeDrifts: number }[];
  week: { since: string; opened: number; resolved: { remediated: number; baselineChanged: number }; excepted: number };
  expiringExceptions: { id: string; connectionId: string; connectionName: string; controlId: string; resourceKey: string | null; expiresAt: string }[];
  connections: {
    connectionId: string; name: string; provider: string; score: number | null; score30dAgo: number | null; score90dAgo: number | null;
    openDrifts: Counts; up: boolean; stale: boolean; consecutiveFailures: number; lastSuccessAt: string | null;
  }[];
}

interface Verify { ok: boolean; entriesChecked: number; headSeq: number; headHash: string | null; firstBadSeq: number | null; problem: string | null }

function change(now: number | null, before: number | null): string {
  if (now === null || before === null) return '';
  const points = Math.round((now - before) * 100);
  return points === 0 ? ' (=)' : ` (${points > 0 ? '+' : ''}${points})`;
}

export async function overviewPage(me: Session, main: HTMLElement): Promise<void> {
  const [o, verify] = await Promise.all([
    get<Overview>('/reports/overview'),
    canAudit(me) ? get<Verify>('/evidence/verify').catch((err: unknown) => (err instanceof ApiError ? err : Promise.reject(err))) : null,
  ]);
  const down = o.connections.filter((c) => !c.up || c.stale);
  const evidence = h('section', { 'aria-labelledby': 'h-evidence' }, h('h2', { id: 'h-evidence' }, 'Evidence chain'));
  if (verify === null) evidence.append(h('p', {}, `Verifying the ledger is for auditors and admins (you are ${me.role}).`));
  else if (verify instanceof ApiError) evidence.append(h('p', { role: 'alert' }, `Verification failed: ${verify.message}`));
  else
    evidence.append(
      h('p', { class: verify.ok ? 'ok' : 'bad' }, verify.ok ? `Intact: ${verify.entriesChecked} entries verified, head at seq ${verify.headSeq}.` : `Broken at seq ${verify.firstBadSeq}: ${verify.problem}`),
      h('p', {}, h('a', { href: '/audit' }, 'Signed head and downloads')),
    );

  main.replaceChildren(
    h('h1', {}, 'Overview'),
    h('p', { class: 'muted' }, `${o.connections.length} connections · computed ${when(o.generatedAt)}`),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { 'aria-labelledby': 'h-trend' },
        h('h2', { id: 'h-trend' }, 'Posture score'),
        scoreTrend('Mean score of all connections', o.trend),
        h('p', { class: 'muted small' }, 'A day’s score is 1 − drift episodes active at its end ÷ decided findings now (pass + fail; unknown left out).'),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-open' },
        h('h2', { id: 'h-open' }, 'Open drifts by severity'),
        table('Open drifts, all connections', ['severity', 'open'], SEVERITIES.map((s) => [severityBadge(s), String(o.openDrifts[s])]), 'compact'),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-week' },
        h('h2', { id: 'h-week' }, 'This week'),
        h(
          'dl',
          { class: 'figures' },
          h('dt', {}, 'Drifts opened'), h('dd', {}, String(o.week.opened)),
          h('dt', {}, 'Resolved: remediated'), h('dd', {}, String(o.week.resolved.remediated)),
          h('dt', {}, 'Resolved: baseline changed'), h('dd', {}, String(o.week.resolved.baselineChanged)),
          h('dt', {}, 'Excepted'), h('dd', {}, String(o.week.excepted)),
        ),
        h('p', { class: 'muted small' }, `Since ${when(o.week.since)}.`),
      ),
      evidence,
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-down' },
      h('h2', { id: 'h-down' }, `Connections down or stale (${down.length})`),
      down.length === 0
        ? h('p', {}, 'Every connection polled successfully within two poll intervals.')
        : table(
            'Connections whose last poll failed or that have not succeeded for two poll intervals',
            ['connection', 'state', 'failures in a row', 'last success'],
            down.slice(0, 200).map((c) => [h('a', { href: `/connections/${c.connectionId}` }, c.name), !c.up ? 'down' : 'stale', String(c.consecutiveFailures), when(c.lastSuccessAt)]),
          ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-expiring' },
      h('h2', { id: 'h-expiring' }, `Exceptions expiring within 7 days (${o.expiringExceptions.length})`),
      o.expiringExceptions.length === 0
        ? h('p', {}, 'None.')
        : table(
            'Approved exceptions that expire within 7 days',
            ['connection', 'control', 'resource', 'expires'],
            o.expiringExceptions.map((e) => [h('a', { href: `/connections/${e.connectionId}` }, e.connectionName), e.controlId, e.resourceKey ?? 'all', when(e.expiresAt)]),
          ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-connections', class: 'all-connections' },
      h('h2', { id: 'h-connections' }, 'Connections'),
      table(
        'Posture per connection, lowest score first; the change in points is against the score then',
        ['connection', 'provider', 'score', '30 days ago', '90 days ago', 'open critical', 'open high', 'open medium', 'open low', 'poll'],
        o.connections.map((c) => [
          h('a', { href: `/connections/${c.connectionId}` }, c.name),
          c.provider,
          percent(c.score),
          percent(c.score30dAgo) + change(c.score, c.score30dAgo),
          percent(c.score90dAgo) + change(c.score, c.score90dAgo),
          String(c.openDrifts.critical),
          String(c.openDrifts.high),
          String(c.openDrifts.medium),
          String(c.openDrifts.low),
          !c.up ? 'down' : c.stale ? 'stale' : 'ok',
        ]),
        'connections',
      ),
    ),
  );
}
