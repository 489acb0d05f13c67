import { describe, expect, it } from '@jest/globals';
import { AdaptivePacer, ProviderPacers, type PacerSlot } from './adaptive-pacer';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Sends `n` calls as the pacer allows (waiting each slot out on the fake clock), all answered ok. */
function sendOk(pacer: AdaptivePacer, clock: ReturnType<typeof fakeClock>, n: number): number[] {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) {
    const slot = pacer.reserve();
    waits.push(slot.waitMs);
    clock.advance(slot.waitMs);
    pacer.succeeded(slot);
  }
  return waits;
}

/** Answers `n` calls spaced `gapMs` apart on the fake clock, each ok unless `ok` is false. */
function answer(pacer: AdaptivePacer, clock: ReturnType<typeof fakeClock>, n: number, gapMs: number, ok = true): PacerSlot {
  let slot = pacer.reserve();
  for (let i = 0; i < n; i++) {
    if (i > 0) clock.advance(gapMs);
    slot = pacer.reserve();
    if (ok) pacer.succeeded(slot);
    else pacer.throttled(slot);
  }
  return slot;
}

/**
 * `callers` concurrent callers, each sending its next call as soon as its previous one is answered
 * (after `latencyMs`) and the connector's own fixed pacing allows (`fixedIntervalMs`, as the Google
 * connector spaces Directory calls at 2,300 a minute), through the pacer, against a sliding window admitting `limit` calls per
 * `windowMs` (refused calls are not counted by the window, as the simulator's and Google's quotas do
 * not count them), for `runMs` of fake time. A refused call is retried at its next slot.
 */
function againstSlidingWindow(opts: { limit: number; windowMs: number; callers: number; latencyMs: number; fixedIntervalMs: number; runMs: number }) {
  let now = 0;
  let fixedNext = 0;
  const pacer = new AdaptivePacer({ now: () => now });
  const admittedAt: number[] = [];
  let ok = 0;
  let refused = 0;
  let firstOk = -1;
  let lastOk = 0;
  const events: { at: number; run: () => void }[] = [];
  const at = (t: number, run: () => void) => events.push({ at: t, run });
  const send = (slot: PacerSlot) =>
    at(now + slot.waitMs, () => {
      const sentAt = now;
      while (admittedAt.length > 0 && admittedAt[0] <= sentAt - opts.windowMs) admittedAt.shift();
      const admitted = admittedAt.length < opts.limit;
      if (admitted) admittedAt.push(sentAt);
      at(now + opts.latencyMs, () => {
        if (admitted) {
          ok++;
          if (firstOk < 0) firstOk = sentAt;
          lastOk = sentAt;
          pacer.succeeded(slot);
        } else {
          refused++;
          pacer.throttled(slot);
        }
        if (admitted) next();
        else send(pacer.reserve());
      });
    });
  const next = () => {
    const t = Math.max(now, fixedNext);
    fixedNext = t + opts.fixedIntervalMs;
    at(t, () => send(pacer.reserve()));
  };
  for (let i = 0; i < opts.callers; i++) next();
  while (events.length > 0) {
    events.sort((x, y) => x.at - y.at);
    const next = events.shift()!;
    if (next.at > opts.runMs) break;
    now = next.at;
    next.run();
  }
  // The most a sliding window admits over the span from the first success to the last (bench/rate-limit).
  const allowed = opts.limit * (Math.floor((lastOk - firstOk) / opts.windowMs) + 1);
  return { efficiency: ok / allowed, refusedPerOk: refused / ok };
}

describe('AdaptivePacer', () => {
  it('never makes a never-throttled caller wait', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now });
    // A burst of concurrent reservations at one instant, then more after successes.
    const burst = Array.from({ length: 50 }, () => pacer.reserve());
    expect(burst.every((s) => s.waitMs === 0)).toBe(true);
    burst.forEach((s) => pacer.succeeded(s));
    expect(sendOk(pacer, clock, 100).every((w) => w === 0)).toBe(true);
    expect(pacer.ratePerSecond).toBeUndefined();
  });

  it('once refused, paces at the rate the quota admitted, less the margin, and queues concurrent callers one interval apart', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, margin: 0.05 });
    // 41 successes 50 ms apart, then a refusal 50 ms later: 40 successes after the first in 2,050 ms.
    answer(pacer, clock, 41, 50);
    clock.advance(50);
    pacer.throttled(pacer.reserve());
    expect(pacer.ratePerSecond).toBeCloseTo(((40 * 1000) / 2_050) * 0.95);
    const next = [pacer.reserve(), pacer.reserve(), pacer.reserve()];
    const interval = 1000 / pacer.ratePerSecond!;
    expect(next[1].waitMs - next[0].waitMs).toBeCloseTo(interval);
    expect(next[2].waitMs - next[1].waitMs).toBeCloseTo(interval);
  });

  it('counts a pause longer than idleGapMs (between two polls) as idleGapMs, and forgets answers older than the horizon', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, margin: 0, idleGapMs: 500, horizonMs: 60_000 });
    answer(pacer, clock, 10, 100);
    clock.advance(10_000); // the tenant was not calling
    answer(pacer, clock, 10, 100);
    clock.advance(100);
    pacer.throttled(pacer.reserve());
    // 19 successes after the first over 900 + 500 + 900 + 100 ms of calling.
    expect(pacer.ratePerSecond).toBeCloseTo((19 * 1000) / 2_400);

    const later = fakeClock();
    const fresh = new AdaptivePacer({ now: later.now, margin: 0, idleGapMs: 500, horizonMs: 60_000 });
    answer(fresh, later, 100, 10); // 100 per second, long ago
    later.advance(120_000);
    answer(fresh, later, 11, 250); // 4 per second in the last horizon
    later.advance(250);
    fresh.throttled(fresh.reserve());
    // The first of the 11 counts the pause before it as idleGapMs.
    expect(fresh.ratePerSecond).toBeCloseTo((11 * 1000) / 3_250);
  });

  it('measures again on each refusal sent after the last cut, ignores the others, and never compounds the cuts', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, margin: 0.05, increasePerCall: 0 });
    answer(pacer, clock, 41, 25); // 40 per second
    const inFlight = [pacer.reserve(), pacer.reserve(), pacer.reserve()];
    clock.advance(25);
    pacer.throttled(pacer.reserve());
    const firstCut = pacer.ratePerSecond!;
    // Sent before the cut: the same news.
    inFlight.forEach((s) => pacer.throttled(s));
    expect(pacer.ratePerSecond).toBe(firstCut);
    // A full sliding window keeps refusing calls sent at the new rate for a while: each refusal
    // measures again, and the rate follows what was admitted instead of halving each time.
    for (let i = 0; i < 10; i++) {
      const probe = pacer.reserve();
      clock.advance(probe.waitMs);
      pacer.throttled(probe);
    }
    expect(pacer.ratePerSecond).toBeGreaterThan(firstCut / 2);
    expect(pacer.ratePerSecond).toBeLessThan(firstCut);
  });

  it('never drops below the floor rate while refused, so probing goes on', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, minRatePerSecond: 0.5 });
    for (let i = 0; i < 30; i++) {
      const s = pacer.reserve();
      clock.advance(s.waitMs + 10);
      pacer.throttled(s);
    }
    expect(pacer.ratePerSecond).toBe(0.5);
  });

  it('raises the rate by increasePerCall with each success', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, increasePerCall: 0.02 });
    answer(pacer, clock, 21, 100);
    clock.advance(100);
    pacer.throttled(pacer.reserve());
    const cut = pacer.ratePerSecond!;
    sendOk(pacer, clock, 50);
    expect(pacer.ratePerSecond).toBeCloseTo(cut + 50 * 0.02);
  });

  it('keeps the slots already handed out when cut: new ones come after them', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, margin: 0 });
    answer(pacer, clock, 11, 100); // 10 per second
    clock.advance(100);
    pacer.throttled(pacer.reserve());
    const queued = [pacer.reserve(), pacer.reserve(), pacer.reserve()];
    clock.advance(10);
    pacer.throttled(queued[0]);
    expect(pacer.reserve().waitMs).toBeGreaterThan(queued[2].waitMs - 10);
  });

  it.each([
    { windowMs: 2_000, limit: 40 },
    { windowMs: 6_000, limit: 120 },
    { windowMs: 60_000, limit: 1_200 },
  ])('uses >= 0.9 of a sliding window of $limit calls per $windowMs ms (20/s) for 8 callers sending at up to 38/s', ({ windowMs, limit }) => {
    const run = againstSlidingWindow({ limit, windowMs, callers: 8, latencyMs: 3, fixedIntervalMs: 60_000 / 2_300, runMs: 600_000 });
    expect(run.efficiency).toBeGreaterThanOrEqual(0.9);
    // The refusals are mostly the first window's: until the measurement spans a window, it reads the
    // unpaced start as the quota's rate. A window of a minute (Google's) takes a minute to learn.
    expect(run.refusedPerOk).toBeLessThan(windowMs === 60_000 ? 0.35 : 0.1);
  });

  it('finds the rate when a burst was answered all in one instant', () => {
    const run = againstSlidingWindow({ limit: 40, windowMs: 2_000, callers: 1, latencyMs: 0, fixedIntervalMs: 0, runMs: 120_000 });
    expect(run.efficiency).toBeGreaterThanOrEqual(0.9);
  });
});

describe('ProviderPacers', () => {
  it('keeps one pacer per provider and connection across polls, and tenants never slow each other', () => {
    const clock = fakeClock();
    const pacers = new ProviderPacers({ now: clock.now });
    const a = pacers.for('google-workspace', 'conn-a');
    let slot: PacerSlot | undefined;
    for (let i = 0; i < 16; i++) {
      clock.advance(10);
      slot = a.reserve();
    }
    a.throttled(slot!);
    expect(pacers.for('google-workspace', 'conn-a')).toBe(a);
    expect(pacers.for('google-workspace', 'conn-a').ratePerSecond).toBeDefined();
    // Another tenant of the same provider, and the same id under another provider, are unpaced.
    const b = pacers.for('google-workspace', 'conn-b');
    const other = pacers.for('slack', 'conn-a');
    expect([b, other]).not.toContain(a);
    expect(Array.from({ length: 20 }, () => b.reserve().waitMs).every((w) => w === 0)).toBe(true);
    expect(Array.from({ length: 20 }, () => other.reserve().waitMs).every((w) => w === 0)).toBe(true);
    expect(a.reserve().waitMs).toBeGreaterThan(0);
  });

  it('forgets pacers left idle (deleted or stopped connections) and keeps at most maxPacers', () => {
    const clock = fakeClock();
    const pacers = new ProviderPacers({ now: clock.now, idleMs: 60_000, maxPacers: 3 });
    const first = pacers.for('slack', 'c1');
    pacers.for('slack', 'c2');
    clock.advance(30_000);
    pacers.for('slack', 'c3');
    expect(pacers.size).toBe(3);
    pacers.for('slack', 'c4');
    expect(pacers.size).toBe(3); // c1, the least recently used, went
    expect(pacers.for('slack', 'c1')).not.toBe(first);
    clock.advance(59_999);
    pacers.for('slack', 'c5'); // nothing idle for a whole minute yet: the least recently used (c3) goes
    expect(pacers.size).toBe(3);
    clock.advance(1);
    pacers.for('slack', 'c6'); // c4 and c1 now idle for a minute: gone
    expect(pacers.size).toBe(2);
  });
});
