import { ProviderError } from './errors';

export interface Page<T> {
  items: T[];
  /** Cursor or token of the next page; absent, null or empty on the last page. */
  next?: string | null;
}

export interface PagingOptions {
  /** What is being listed, for error messages: `slack conversations`, `graph servicePrincipals`. */
  what: string;
  /** Defaults to 1000. */
  maxPages?: number;
  /** No limit unless given. */
  maxItems?: number;
}

const DEFAULT_MAX_PAGES = 1000;

/**
 * Walks a cursor/token-paged listing page by page. A provider that never stops paging (a
 * repeated cursor, or more pages than any real tenant has) fails the listing instead of looping.
 */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  opts: PagingOptions,
): AsyncGenerator<T[], void, undefined> {
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const seen = new Set<string>();
  let cursor: string | undefined;
  let items = 0;
  for (let fetched = 0; ; ) {
    if (fetched === maxPages) {
      throw new ProviderError('provider_error', `${opts.what}: more than ${maxPages} pages, giving up`, {
        retryable: false,
      });
    }
    const page = await fetchPage(cursor);
    fetched++;
    items += page.items.length;
    if (opts.maxItems !== undefined && items > opts.maxItems) {
      throw new ProviderError('provider_error', `${opts.what}: more than ${opts.maxItems} items, giving up`, {
        retryable: false,
      });
    }
    yield page.items;
    if (!page.next) return;
    if (seen.has(page.next)) {
      // The cursor value itself stays out of the message: some providers encode tokens in it.
      throw new ProviderError('schema', `${opts.what}: paging cursor repeated after ${fetched} pages`, {
        retryable: false,
      });
    }
    seen.add(page.next);
    cursor = page.next;
  }
}

/** Every item of a cursor/token-paged listing, with the guards of {@link pages}. */
export async function collectPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  opts: PagingOptions,
): Promise<T[]> {
  const all: T[] = [];
  for await (const items of pages(fetchPage, opts)) all.push(...items);
  return all;
}
