import { EvidenceChainProbe } from './evidence-chain.probe';

const settle = () => new Promise((r) => setImmediate(r));

/** A probe over a fake verification state whose verify() calls the test finishes by hand. */
function setup(minIntervalMs = 60_000) {
  let clock = 1_000_000;
  let result: boolean | null = null;
  const runs: { finish: (ok: boolean) => void; fail: (err: Error) => void }[] = [];
  const errors: unknown[] = [];
  const verify = jest.fn(
    () =>
      new Promise<void>((resolve, reject) =>
        runs.push({
          finish: (ok) => {
            result = ok;
            resolve();
          },
          fail: reject,
        }),
      ),
  );
  const probe = new EvidenceChainProbe({ lastResult: () => result, verify, minIntervalMs, onError: (e) => errors.push(e), now: () => clock });
  return {
    probe,
    verify,
    runs,
    errors,
    advance: (ms: number) => (clock += ms),
    setResult: (ok: boolean | null) => (result = ok),
  };
}

describe('EvidenceChainProbe', () => {
  it('reuses the last verification and never starts one while a result is known', () => {
    const s = setup();
    s.setResult(false);
    for (let i = 0; i < 5; i++) expect(s.probe.read()).toBe(false);
    s.setResult(true);
    expect(s.probe.read()).toBe(true);
    expect(s.verify).not.toHaveBeenCalled();
  });

  it('while nothing is known, starts one verification in the background and answers null until it ends', async () => {
    const s = setup();
    expect(s.probe.read()).toBeNull();
    expect(s.probe.read()).toBeNull();
    expect(s.verify).toHaveBeenCalledTimes(1);
    s.runs[0].finish(false);
    await settle();
    expect(s.probe.read()).toBe(false);
    expect(s.verify).toHaveBeenCalledTimes(1);
  });

  it('after a verification that could not run, tries again only once the interval has passed', async () => {
    const s = setup(60_000);
    expect(s.probe.read()).toBeNull();
    s.runs[0].fail(new Error('database is down'));
    await settle();
    expect(s.errors).toEqual([new Error('database is down')]);
    s.advance(59_000);
    expect(s.probe.read()).toBeNull();
    expect(s.verify).toHaveBeenCalledTimes(1);
    s.advance(1_000);
    expect(s.probe.read()).toBeNull();
    expect(s.verify).toHaveBeenCalledTimes(2);
    s.runs[1].finish(true);
    await settle();
    expect(s.probe.read()).toBe(true);
  });

  it('never runs two verifications at once, however long one takes', () => {
    const s = setup(1_000);
    s.probe.read();
    s.advance(10_000);
    s.probe.read();
    expect(s.verify).toHaveBeenCalledTimes(1);
  });
});
