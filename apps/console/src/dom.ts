/** A small element builder: attributes, `on…` listeners and children; never an inline style (the CSP forbids them). */
export type Child = Node | string | number | null | undefined | false | Child[];
type Attr = string | number | boolean | null | undefined | ((event: Event) => void);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function percent(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : `${Math.round(score * 100)}%`;
}

export function json(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value, null, 2);
}

/** A table with a caption and column headers; rows are lists of cells. */
export function table(caption: string, headers: string[], rows: Child[][], cls = ''): HTMLTableElement {
  return h(
    'table',
    { class: cls },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))),
  );
}

export function severityBadge(severity: string): HTMLElement {
  return h('span', { class: `badge sev-${severity}` }, severity);
}

/** A live region for the outcome of an action: screen readers announce it. */
export function statusLine(): HTMLParagraphElement {
  return h('p', { role: 'status', class: 'status', 'aria-live': 'polite' });
}
