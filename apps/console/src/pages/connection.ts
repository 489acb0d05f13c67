import { get, type Session } from '../api';
import { scoreHistory, scoreTrend } from '../chart';
import { h, severityBadge, when } from '../dom';
import { driftTable, type Drift } from './drift';
import { changesSection, type Change } from './exceptions';

interface Connection {
  id: string; name: string; provider: string; baselineId: string; pollIntervalSeconds: number; enabled: boolean;
  status: { nextPollAt: string; polling: boolean; lastPollAt: string | null; lastSuccessAt: string | null; evaluatedAt: string | null; consecutiveFailures: number; lastFailure: { reason: string; message: string | null } | null };
}
interface Finding { controlId: string; resourceKey: string; status: string; message: string }
interface Control { id: string; title: string; area: string; severity: string; references: string[]; rationale: string; remediation: string }

export async function connectionPage(me: Session, main: HTMLElement, id: string): Promise<void> {
  const c = await get<Connection>(`/connections/${id}`);
  const [findings, baseline, drifts, changes] = await Promise.all([
    get<{ summary: { pass: number; fail: number; unknown: number }; findings: Finding[]; evaluatedAt: string | null }>(`/connections/${id}/findings`),
    get<{ title: string; controls: Control[] }>(`/baselines/${encodeURIComponent(c.baselineId)}`),
    get<{ items: Omit<Drift, 'events'>[] }>(`/drifts?connectionId=${id}&limit=500`),
    get<{ items: Change[] }>(`/connections/${id}/changes?status=pending`),
  ]);
  const byControl = new Map<string, Finding[]>();
  for (const f of findings.findings) byControl.set(f.controlId, [...(byControl.get(f.controlId) ?? []), f]);
  const areas = [...new Set(baseline.controls.map((k) => k.area))];
  const decided = findings.summary.pass + findings.summary.fail;
  const s = c.status;
  const rerender = () => void connectionPage(me, main, id).then(() => main.setAttribute('data-ready', 'connection'));

  main.replaceChildren(
    h('h1', {}, c.name),
    h('p', { class: 'muted' }, `${c.provider} · baseline ${baseline.title} (${c.baselineId})`),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { 'aria-labelledby': 'h-health' },
        h('h2', { id: 'h-health' }, 'Poll health'),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'State'), h('dd', {}, !c.enabled ? 'disabled' : s.consecutiveFailures > 0 ? `failing (${s.consecutiveFailures} in a row)` : s.lastSuccessAt ? 'ok' : 'not polled yet'),
          h('dt', {}, 'Last poll'), h('dd', {}, when(s.lastPollAt)),
          h('dt', {}, 'Last success'), h('dd', {}, when(s.lastSuccessAt)),
          h('dt', {}, 'Next poll'), h('dd', {}, when(s.nextPollAt)),
          h('dt', {}, 'Interval'), h('dd', {}, `${c.pollIntervalSeconds} s`),
          s.lastFailure ? [h('dt', {}, 'Last failure'), h('dd', {}, `${s.lastFailure.reason}${s.lastFailure.message ? `: ${s.lastFailure.message}` : ''}`)] : null,
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-score' },
        h('h2', { id: 'h-score' }, 'Posture score'),
        h('p', {}, `${findings.summary.pass} pass, ${findings.summary.fail} fail, ${findings.summary.unknown} unknown · evaluated ${when(findings.evaluatedAt)}`),
        scoreTrend('Score', scoreHistory(decided, drifts.items)),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-findings' },
      h('h2', { id: 'h-findings' }, 'Findings by area'),
      areas.map((area) =>
        h(
          'section',
          { class: 'area', 'aria-labelledby': `h-area-${area}` },
          h('h3', { id: `h-area-${area}` }, area),
          baseline.controls
            .filter((k) => k.area === area)
            .map((k) => {
              const results = byControl.get(k.id) ?? [];
              const failing = results.filter((f) => f.status === 'fail');
              const state = failing.length ? `fail (${failing.length})` : results.some((f) => f.status === 'unknown') ? 'unknown' : results.length ? 'pass' : 'not evaluated';
              return h(
                'details',
                { class: `control ${failing.length ? 'failing' : ''}` },
                h('summary', {}, severityBadge(k.severity), ' ', h('span', { class: 'status-word' }, state), ' ', h('strong', {}, k.id), ` ${k.title}`),
                h('h4', {}, 'Rationale'), h('p', {}, k.rationale),
                h('h4', {}, 'Remediation'), h('p', {}, k.remediation),
                k.references.length ? [h('h4', {}, 'References'), h('ul', {}, k.references.map((r) => h('li', {}, /^https:\/\//.test(r) ? h('a', { href: r, rel: 'noreferrer' }, r) : r)))] : null,
                failing.length ? [h('h4', {}, 'Failing resources'), h('ul', {}, failing.map((f) => h('li', {}, h('code', {}, f.resourceKey), ` ${f.message}`)))] : null,
              );
            }),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-history' },
      h('h2', { id: 'h-history' }, 'Drift history'),
      drifts.items.length ? driftTable('Drift episodes, newest first', drifts.items) : h('p', {}, 'No drift recorded.'),
    ),
    changesSection(me, changes.items, new Map([[c.id, c.name]]), rerender),
  );
}
