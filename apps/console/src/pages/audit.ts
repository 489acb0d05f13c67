import { ApiError, get, type Session } from '../api';
import { h, statusLine, when } from '../dom';
import { canAudit } from '../roles';

interface Verify { ok: boolean; entriesChecked: number; headSeq: number; headHash: string | null; firstBadSeq: number | null; problem: string | null; checkpointsChecked: number; lastCheckpointSeq: number | null }
interface Head { seq: number; hash: string; signedAt: string; keyId: string; signature: string }

/** Pages through the ledger and offers it as one JSON file. */
async function downloadLedger(status: HTMLElement): Promise<void> {
  const items: unknown[] = [];
  let after: number | null = 0;
  try {
    const head = await get<Head>('/evidence/head');
    while (after !== null) {
      const page: { items: unknown[]; nextAfterSeq: number | null } = await get(`/evidence/ledger?afterSeq=${after}&limit=500`);
      items.push(...page.items);
      after = page.nextAfterSeq;
      status.textContent = `${items.length} entries read…`;
    }
    const blob = new Blob([JSON.stringify({ signedHead: head, items }, null, 2)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'tollgate-ledger.json' });
    a.click();
    status.textContent = `Ledger downloaded: ${items.length} entries, with the signed head.`;
  } catch (err) {
    status.textContent = `Download failed: ${err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : String(err)}`;
  }
}

export async function auditPage(me: Session, main: HTMLElement): Promise<void> {
  const reports = h(
    'section',
    { 'aria-labelledby': 'h-reports' },
    h('h2', { id: 'h-reports' }, 'Drift report'),
    h('p', {}, 'Every drift episode, oldest first.'),
    h(
      'ul',
      {},
      h('li', {}, h('a', { href: '/api/v1/reports/drift?format=csv', download: 'tollgate-drift-report.csv' }, 'Download the drift report (CSV)')),
      h('li', {}, h('a', { href: '/api/v1/reports/drift?format=json', download: 'tollgate-drift-report.json' }, 'Download the drift report (JSON)')),
    ),
  );
  if (!canAudit(me)) {
    main.replaceChildren(h('h1', {}, 'Auditor'), reports, h('p', {}, `The evidence ledger is for auditors and admins (you are ${me.role}).`));
    return;
  }
  const [verify, head] = await Promise.all([get<Verify>('/evidence/verify'), get<Head>('/evidence/head').catch((err: unknown) => (err instanceof ApiError ? err : Promise.reject(err)))]);
  const status = statusLine();
  main.replaceChildren(
    h('h1', {}, 'Auditor'),
    reports,
    h(
      'section',
      { 'aria-labelledby': 'h-verify' },
      h('h2', { id: 'h-verify' }, 'Ledger verification'),
      h('p', { class: verify.ok ? 'ok' : 'bad', 'data-field': 'verify' }, verify.ok ? 'The chain verifies.' : `The chain is broken at seq ${verify.firstBadSeq}: ${verify.problem}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Entries checked'), h('dd', {}, String(verify.entriesChecked)),
        h('dt', {}, 'Head seq'), h('dd', {}, String(verify.headSeq)),
        h('dt', {}, 'Head hash'), h('dd', {}, h('code', {}, verify.headHash ?? '—')),
        h('dt', {}, 'Checkpoints checked'), h('dd', {}, String(verify.checkpointsChecked)),
        h('dt', {}, 'Last checkpoint seq'), h('dd', {}, verify.lastCheckpointSeq === null ? '—' : String(verify.lastCheckpointSeq)),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-head' },
      h('h2', { id: 'h-head' }, 'Signed head'),
      head instanceof ApiError
        ? h('p', { class: 'bad' }, `Not signed: ${head.message}`)
        : h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Seq'), h('dd', {}, String(head.seq)),
            h('dt', {}, 'Hash'), h('dd', {}, h('code', {}, head.hash)),
            h('dt', {}, 'Signed at'), h('dd', {}, when(head.signedAt)),
            h('dt', {}, 'Key id'), h('dd', {}, h('code', {}, head.keyId)),
            h('dt', {}, 'Signature (Ed25519)'), h('dd', {}, h('code', { class: 'wrap' }, head.signature)),
          ),
      h('p', {}, 'Check it offline with ', h('code', {}, 'npm run evidence:verify'), ' and a pinned public key (docs/evidence.md).'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-ledger' },
      h('h2', { id: 'h-ledger' }, 'Ledger'),
      h('button', { type: 'button', onclick: () => void downloadLedger(status) }, 'Download the ledger (JSON)'),
      status,
    ),
  );
}
