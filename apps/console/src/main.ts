import { ApiError, session, signOut, type Session } from './api';
import { h } from './dom';
import { auditPage } from './pages/audit';
import { connectionPage } from './pages/connection';
import { driftPage } from './pages/drift';
import { exceptionsPage } from './pages/exceptions';
import { overviewPage } from './pages/overview';
import './styles.css';

type Page = (me: Session, main: HTMLElement, id: string) => Promise<void>;

const routes: [RegExp, string, Page][] = [
  [/^\/$/, 'overview', overviewPage],
  [/^\/connections\/([0-9a-f-]{36})$/i, 'connection', connectionPage],
  [/^\/drifts\/([0-9a-f-]{36})$/i, 'drift', driftPage],
  [/^\/exceptions$/, 'exceptions', exceptionsPage],
  [/^\/audit$/, 'audit', auditPage],
];

let me: Session | null = null;

async function render(): Promise<void> {
  const main = document.getElementById('main')!;
  main.removeAttribute('data-ready');
  const route = routes.find(([pattern]) => pattern.test(location.pathname));
  const nav = document.getElementById('nav')!;
  nav.replaceChildren(
    h(
      'ul',
      {},
      [
        ['/', 'Overview'],
        ['/exceptions', 'Exceptions'],
        ['/audit', 'Auditor'],
      ].map(([href, text]) => h('li', {}, h('a', { href, 'aria-current': location.pathname === href ? 'page' : null }, text))),
    ),
  );
  if (!me) return;
  if (!route) {
    main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '/' }, 'Back to the overview')));
    return;
  }
  const [pattern, name, page] = route;
  const id = pattern.exec(location.pathname)?.[1] ?? '';
  main.replaceChildren(h('p', {}, 'Loading…'));
  try {
    await page(me, main, id);
  } catch (err) {
    const message = err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : String(err);
    main.replaceChildren(h('h1', {}, 'Could not load this page'), h('p', { role: 'alert' }, message));
  }
  // Tests and the benchmark wait for this: the page has its data.
  main.setAttribute('data-ready', name);
  document.title = `${main.querySelector('h1')?.textContent ?? 'Tollgate'} · Tollgate`;
}

async function start(): Promise<void> {
  const who = document.getElementById('who')!;
  me = await session();
  const main = document.getElementById('main')!;
  if (!me) {
    who.replaceChildren(h('a', { class: 'button', href: '/auth/login' }, 'Sign in'));
    main.replaceChildren(
      h('h1', {}, 'Tollgate'),
      h('p', {}, 'Sign in with your organisation’s identity provider to see posture, drifts, exceptions and evidence.'),
      h('p', {}, h('a', { class: 'button', href: '/auth/login' }, 'Sign in')),
    );
    main.setAttribute('data-ready', 'signed-out');
    return;
  }
  const out = h('button', { type: 'button', onclick: () => void signOut() }, 'Sign out');
  // A person or key limited to some connections sees only theirs everywhere; say so next to the role.
  const count = me.connectionIds?.length;
  const scope = count === undefined ? [] : [h('span', { class: 'scope' }, `scoped to ${count} connection${count === 1 ? '' : 's'}`), ' '];
  who.replaceChildren(h('span', { class: 'principal' }, me.name ? `${me.name} (${me.principal})` : me.principal), ' ', h('span', { class: 'badge role' }, me.role), ' ', ...scope, out);
  // Links inside the console change the page without reloading it.
  document.addEventListener('click', (event) => {
    const a = (event.target as Element).closest('a');
    if (!a || a.target || a.hasAttribute('download') || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !routes.some(([p]) => p.test(url.pathname))) return;
    event.preventDefault();
    history.pushState(null, '', url.pathname);
    void render().then(() => document.getElementById('main')?.focus());
  });
  window.addEventListener('popstate', () => void render());
  await render();
}

void start();
