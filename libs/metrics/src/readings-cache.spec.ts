import type { ConnectionReading, LoadedReadings } from './metrics';
import { ReadingsCache } from './readings-cache';

const connection = (name: string): ConnectionReading => ({
  provider: 'slack',
  connection: name,
  driftsOpen: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
});
const exceptions = { byState: { requested: 1, approved: 0, rejected: 0, revoked: 0, expired: 0 }, expiringSoon: 0 };
/** What one read loads: a single connection named `name`. */
const reading = (name: string): LoadedReadings => ({ connections: [connection(name)], exceptions, evidenceChainOk: true });
/** What a scrape is answered with after `loaded` was read. */
const answer = (databaseUp: boolean, loaded: LoadedReadings) => ({ databaseUp, ...loaded });

/** A load whose answers the test releases by hand. */
function manualLoad() {
  const pending: { resolve: (v: LoadedReadings) => void; reject: (e: Error) => void }[] = [];
  const load = jest.fn(() => new Promise<LoadedReadings>((resolve, reject) => pending.push({ resolve, reject })));
  return { load, pending };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ReadingsCache', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('serves a fresh reading and answers scrapes within maxAge from it without asking again', async () => {
    const load = jest.fn(async () => reading('a'));
    const cache = new ReadingsCache(load, { maxAgeMs: 1000, waitMs: 50, downAfterMs: 200, now });
    expect(await cache.read()).toEqual(answer(true, reading('a')));
    clock += 500;
    await cache.read();
    expect(load).toHaveBeenCalledTimes(1);
    clock += 600;
    await cache.read();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('concurrent scrapes share one database read', async () => {
    const { load, pending } = manualLoad();
    const cache = new ReadingsCache(load, { maxAgeMs: 1000, waitMs: 1000, downAfterMs: 5000, now });
    const answers = Promise.all([cache.read(), cache.read(), cache.read()]);
    await settle();
    pending[0].resolve(reading('a'));
    expect((await answers).map((a) => a.connections?.length)).toEqual([1, 1, 1]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps the last values and reports the database down when a read fails', async () => {
    const { load, pending } = manualLoad();
    const cache = new ReadingsCache(load, { maxAgeMs: 1000, waitMs: 1000, downAfterMs: 5000, now });
    const first = cache.read();
    await settle();
    pending[0].resolve(reading('a'));
    await first;
    clock += 2000;
    const second = cache.read();
    await settle();
    pending[1].reject(new Error('connection refused'));
    expect(await second).toEqual(answer(false, reading('a')));
    // The next successful read brings it back.
    clock += 2000;
    const third = cache.read();
    await settle();
    pending[2].resolve(reading('b'));
    expect(await third).toEqual(answer(true, reading('b')));
  });

  it('does not make a scrape wait past waitMs for a hanging database, and calls it down after downAfterMs', async () => {
    const { load, pending } = manualLoad();
    const cache = new ReadingsCache(load, { maxAgeMs: 1000, waitMs: 20, downAfterMs: 100, now });
    const first = cache.read();
    await settle();
    pending[0].resolve(reading('a'));
    await first;
    clock += 2000;
    // The read hangs: the scrape is answered (real timer of 20 ms) with the last values.
    expect(await cache.read()).toEqual(answer(true, reading('a')));
    clock += 150;
    expect(await cache.read()).toEqual(answer(false, reading('a')));
    expect(load).toHaveBeenCalledTimes(2);
    // When the slow read finally answers, its values are used.
    pending[1].resolve(reading('late'));
    await settle();
    expect(await cache.read()).toEqual(answer(true, reading('late')));
  });

  it('before the first answer the database is not known to be up', async () => {
    const { load } = manualLoad();
    const cache = new ReadingsCache(load, { maxAgeMs: 1000, waitMs: 10, downAfterMs: 100, now });
    expect(await cache.read()).toEqual({ databaseUp: false, connections: null, exceptions: null, evidenceChainOk: null });
  });
});
