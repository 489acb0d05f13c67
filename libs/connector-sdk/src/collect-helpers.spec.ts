import { CallGate } from './collect-helpers';
import { ProviderError } from './errors';

/** A call that runs until the test settles it. */
function held<T>() {
  let settle!: { resolve: (value: T) => void; reject: (err: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

const refusal = (err: unknown) => err instanceof ProviderError && err.reason === 'auth';

describe('CallGate', () => {
  it('keeps at most `limit` calls in flight and starts the waiting ones in order', async () => {
    const gate = new CallGate({ survivable: refusal, limit: 2 });
    const calls = [held<number>(), held<number>(), held<number>(), held<number>()];
    const started: number[] = [];
    const results = calls.map((c, i) =>
      gate.run(() => {
        started.push(i);
        return c.promise;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);

    calls[1].resolve(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);

    calls[0].resolve(0);
    calls[2].resolve(2);
    calls[3].resolve(3);
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3]);
  });

  it('goes on after a survivable failure', async () => {
    const gate = new CallGate({ survivable: refusal });
    const refused = new ProviderError('auth', 'refused');
    await expect(gate.run(() => Promise.reject(refused))).rejects.toBe(refused);
    await expect(gate.run(() => Promise.resolve('read'))).resolves.toBe('read');
  });

  it('starts no call after a failure that dooms the poll, not even one waiting for a slot', async () => {
    const gate = new CallGate({ survivable: refusal, limit: 1 });
    const first = held<string>();
    const doomed = new ProviderError('throttled', 'out of budget');
    const started: string[] = [];
    const running = gate.run(() => first.promise);
    const waiting = gate.run(() => {
      started.push('waiting');
      return Promise.resolve('never');
    });

    first.reject(doomed);
    await expect(running).rejects.toBe(doomed);
    await expect(waiting).rejects.toBe(doomed);
    await expect(
      gate.run(() => {
        started.push('later');
        return Promise.resolve('never');
      }),
    ).rejects.toBe(doomed);
    expect(started).toEqual([]);
  });
});
