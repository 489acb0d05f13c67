import type { ConnectionReading, LoadedReadings } from './metrics';
import { ReadingsCache, type ReadingsCacheOptions } from './readings-cache';

const connection = (name: string): ConnectionReading => ({
  provider: 'slack',
  connection: name,
  driftsOpen: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
});
const exceptions = { byState: { requested: 1, approved: 0, rejected: 0, revoked: 0, expired: 0 }, expiringSoon: 0 };
/** What one read loads: a single connection named `name`. */
const reading = (name: string): LoadedReadings => ({ connections: [connection(name)], exceptions, evidenceChainOk: true });

const OPTIONS: ReadingsCacheOptions = { refreshMs: 1000, idleMs: 10_000, waitMs: 500, downAfterMs: 3000 };

/** A load whose answers the test releases by hand. */
function manualLoad() {
  const pending: { resolve: (v: LoadedReadings) => void; reject: (e: Error) => void }[] = [];
  const load = jest.fn(() => new Promise<LoadedReadings>((resolve, reject) => pending.push({ resolve, reject })));
  return { load, pending };
}

/** A cache over `load` with a listener that records the name of every reading it is handed. */
function cacheOver(load: () => Promise<LoadedReadings>, options: Partial<ReadingsCacheOptions> = {}) {
  const cache = new ReadingsCache(load, { ...OPTIONS, ...options });
  const delivered: string[] = [];
  cache.subscribe((r) => delivered.push(r.connections[0].connection));
  return { cache, delivered };
}

describe('ReadingsCache', () => {
  let caches: ReadingsCache[] = [];
  const track = <T extends { cache: ReadingsCache }>(made: T): T => {
    caches.push(made.cache);
    return made;
  };

  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    for (const c of caches) c.close();
    caches = [];
    jest.useRealTimers();
  });

  it('reads nothing until the first scrape, which waits for the first reading', async () => {
    const { load, pending } = manualLoad();
    const { cache, delivered } = track(cacheOver(load));
    await jest.advanceTimersByTimeAsync(5000);
    expect(load).not.toHaveBeenCalled();

    const first = cache.scrape();
    await jest.advanceTimersByTimeAsync(100);
    pending[0].resolve(reading('a'));
    expect(await first).toEqual({ databaseUp: true });
    expect(delivered).toEqual(['a']);
  });

  it('then refreshes every refreshMs in the background, handing each reading to the listener', async () => {
    let n = 0;
    const load = jest.fn(async () => reading(`r${++n}`));
    const { cache, delivered } = track(cacheOver(load));
    await cache.scrape();
    await jest.advanceTimersByTimeAsync(3000);
    expect(delivered).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('never makes a later scrape wait for a refresh', async () => {
    const { load, pending } = manualLoad();
    const { cache } = track(cacheOver(load));
    const first = cache.scrape();
    pending[0].resolve(reading('a'));
    await first;
    await jest.advanceTimersByTimeAsync(1000);
    expect(load).toHaveBeenCalledTimes(2);
    // The refresh hangs; a scrape answers without any timer having to fire.
    let answered = false;
    void cache.scrape().then(() => (answered = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(answered).toBe(true);
  });

  it('never runs two reads at once: a slow read makes the ticks in between skip', async () => {
    const { load, pending } = manualLoad();
    const { cache, delivered } = track(cacheOver(load));
    const first = cache.scrape();
    pending[0].resolve(reading('a'));
    await first;
    await jest.advanceTimersByTimeAsync(2500);
    expect(load).toHaveBeenCalledTimes(2);
    pending[1].resolve(reading('slow'));
    await jest.advanceTimersByTimeAsync(500);
    expect(load).toHaveBeenCalledTimes(3);
    expect(delivered).toEqual(['a', 'slow']);
  });

  it('stops refreshing after idleMs without a scrape; the next scrape starts it again and waits for a fresh reading', async () => {
    let n = 0;
    const load = jest.fn(async () => reading(`r${++n}`));
    const { cache, delivered } = track(cacheOver(load, { idleMs: 3000 }));
    await cache.scrape();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(cache.refreshing).toBe(false);
    expect(load).toHaveBeenCalledTimes(3);
    expect(jest.getTimerCount()).toBe(0);

    await cache.scrape();
    expect(cache.refreshing).toBe(true);
    expect(delivered.at(-1)).toBe('r4');
  });

  it('makes the first scrape wait at most waitMs, then answers that the database is not known to be up', async () => {
    const { load, pending } = manualLoad();
    const { cache, delivered } = track(cacheOver(load));
    const first = cache.scrape();
    await jest.advanceTimersByTimeAsync(500);
    expect(await first).toEqual({ databaseUp: false });
    // The first reading still arrives and is used.
    pending[0].resolve(reading('late'));
    await jest.advanceTimersByTimeAsync(0);
    expect(await cache.scrape()).toEqual({ databaseUp: true });
    expect(delivered).toEqual(['late']);
  });

  it('keeps the last values and reports the database down when a read fails, until one succeeds', async () => {
    const { load, pending } = manualLoad();
    const { cache, delivered } = track(cacheOver(load));
    const first = cache.scrape();
    pending[0].resolve(reading('a'));
    await first;
    await jest.advanceTimersByTimeAsync(1000);
    pending[1].reject(new Error('connection refused'));
    await jest.advanceTimersByTimeAsync(0);
    expect(await cache.scrape()).toEqual({ databaseUp: false });
    expect(delivered).toEqual(['a']);
    await jest.advanceTimersByTimeAsync(1000);
    pending[2].resolve(reading('b'));
    await jest.advanceTimersByTimeAsync(0);
    expect(await cache.scrape()).toEqual({ databaseUp: true });
    expect(delivered).toEqual(['a', 'b']);
  });

  it('calls a read unanswered after downAfterMs down, and uses its values when it finally answers', async () => {
    const { load, pending } = manualLoad();
    const { cache, delivered } = track(cacheOver(load));
    const first = cache.scrape();
    pending[0].resolve(reading('a'));
    await first;
    await jest.advanceTimersByTimeAsync(1000);
    // The second read hangs.
    await jest.advanceTimersByTimeAsync(2999);
    expect(await cache.scrape()).toEqual({ databaseUp: true });
    await jest.advanceTimersByTimeAsync(1);
    expect(await cache.scrape()).toEqual({ databaseUp: false });
    expect(load).toHaveBeenCalledTimes(2);
    pending[1].resolve(reading('late'));
    await jest.advanceTimersByTimeAsync(0);
    expect(await cache.scrape()).toEqual({ databaseUp: true });
    expect(delivered).toEqual(['a', 'late']);
  });

  it('hands a late listener the last reading at once', async () => {
    const cache = new ReadingsCache(async () => reading('a'), OPTIONS);
    caches.push(cache);
    await cache.scrape();
    const delivered: LoadedReadings[] = [];
    cache.subscribe((r) => delivered.push(r));
    expect(delivered).toEqual([reading('a')]);
  });

  it('reports a listener that throws without calling the database down', async () => {
    const errors: unknown[] = [];
    const cache = new ReadingsCache(async () => reading('a'), { ...OPTIONS, onListenerError: (e) => errors.push(e) });
    caches.push(cache);
    cache.subscribe(() => {
      throw new Error('bad value');
    });
    expect(await cache.scrape()).toEqual({ databaseUp: true });
    expect(errors).toEqual([new Error('bad value')]);
  });

  it('stops for good on close(): no timer left, and a later scrape does not start one', async () => {
    const load = jest.fn(async () => reading('a'));
    const { cache } = track(cacheOver(load));
    await cache.scrape();
    cache.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(await cache.scrape()).toEqual({ databaseUp: true });
    await jest.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.refreshing).toBe(false);
  });

  it('does not keep the process alive: its timer is unref-ed', async () => {
    jest.useRealTimers();
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    try {
      const { cache } = track(cacheOver(async () => reading('a')));
      await cache.scrape();
      const timers = setIntervalSpy.mock.results.map((r) => r.value as NodeJS.Timeout);
      expect(timers).toHaveLength(1);
      expect(timers[0].hasRef()).toBe(false);
    } finally {
      setIntervalSpy.mockRestore();
    }
  });
});
