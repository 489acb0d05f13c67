import { ProviderError } from './errors';
import { collectPages, pages, type Page } from './pagination';

/** A fake listing: `book[cursor ?? '']` is the page served for that cursor. */
function listing(book: Record<string, Page<number>>) {
  const asked: (string | undefined)[] = [];
  const fetchPage = async (cursor: string | undefined) => {
    asked.push(cursor);
    const page = book[cursor ?? ''];
    if (!page) throw new Error(`no page for ${cursor}`);
    return page;
  };
  return { fetchPage, asked };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected paging to fail');
}

describe('collectPages', () => {
  it('follows cursors until the last page', async () => {
    const { fetchPage, asked } = listing({
      '': { items: [1, 2], next: 'c1' },
      c1: { items: [3], next: 'c2' },
      c2: { items: [4], next: '' },
    });
    expect(await collectPages(fetchPage, { what: 'numbers' })).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([undefined, 'c1', 'c2']);
  });

  it('stops on an absent or null cursor', async () => {
    expect(await collectPages(listing({ '': { items: [1] } }).fetchPage, { what: 'x' })).toEqual([1]);
    expect(await collectPages(listing({ '': { items: [], next: null } }).fetchPage, { what: 'x' })).toEqual([]);
  });

  it('fails as schema when a cursor comes back', async () => {
    const { fetchPage, asked } = listing({
      '': { items: [1], next: 'a' },
      a: { items: [2], next: 'b' },
      b: { items: [3], next: 'a' },
    });
    const err = await failureOf(collectPages(fetchPage, { what: 'slack conversations' }));
    expect(err.reason).toBe('schema');
    expect(err.message).toBe('slack conversations: paging cursor repeated after 3 pages');
    expect(asked).toEqual([undefined, 'a', 'b']);
  });

  it('fails after maxPages pages that still point further', async () => {
    let served = 0;
    const endless = async () => ({ items: [served], next: `c${++served}` });
    const err = await failureOf(collectPages(endless, { what: 'graph users', maxPages: 5 }));
    expect(err.reason).toBe('provider_error');
    expect(err.message).toContain('more than 5 pages');
    expect(served).toBe(5);
  });

  it('accepts exactly maxPages pages', async () => {
    const { fetchPage } = listing({ '': { items: [1], next: 'a' }, a: { items: [2] } });
    expect(await collectPages(fetchPage, { what: 'x', maxPages: 2 })).toEqual([1, 2]);
  });

  it('fails when the items exceed maxItems', async () => {
    const { fetchPage } = listing({ '': { items: [1, 2], next: 'a' }, a: { items: [3, 4] } });
    const err = await failureOf(collectPages(fetchPage, { what: 'tokens', maxItems: 3 }));
    expect(err.message).toContain('more than 3 items');
  });
});

describe('pages', () => {
  it('yields page by page and fetches lazily', async () => {
    const { fetchPage, asked } = listing({ '': { items: [1], next: 'a' }, a: { items: [2] } });
    const seen: number[][] = [];
    for await (const items of pages(fetchPage, { what: 'x' })) {
      seen.push(items);
      break;
    }
    expect(seen).toEqual([[1]]);
    expect(asked).toEqual([undefined]);
  });
});
