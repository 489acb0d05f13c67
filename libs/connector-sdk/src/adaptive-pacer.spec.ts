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

  it('paces at half the rate the calls went at once throttled, and queues concurrent callers one interval apart', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now });
    // 17 calls 50 ms apart: 20 per second.
    let slot: PacerSlot | undefined;
    for (let i = 0; i < 17; i++) {
      if (i > 0) clock.advance(50);
      slot = pacer.reserve();
    }
    pacer.throttled(slot!);
    expect(pacer.ratePerSecond).toBeCloseTo(10);
    const next = [pacer.reserve(), pacer.reserve(), pacer.reserve()];
    expect(next.map((s) => s.waitMs)).toEqual([100, 200, 300]);
  });

  it('cuts once per refused call sent after the last cut, not for answers to calls sent before it', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now });
    const inFlight = Array.from({ length: 4 }, () => {
      clock.advance(25);
      return pacer.reserve();
    });
    pacer.throttled(inFlight[3]);
    const afterFirstCut = pacer.ratePerSecond!;
    // The other three were sent at the old rate: their 429s are the same news.
    inFlight.slice(0, 3).forEach((s) => pacer.throttled(s));
    expect(pacer.ratePerSecond).toBe(afterFirstCut);
    // A call sent at the new rate and refused again halves it again (backoff while the quota is full).
    const probe = pacer.reserve();
    clock.advance(probe.waitMs);
    pacer.throttled(probe);
    expect(pacer.ratePerSecond).toBeCloseTo(afterFirstCut / 2);
  });

  it('never drops below the floor rate while refused, so probing goes on', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, minRatePerSecond: 0.5 });
    for (let i = 0; i < 30; i++) {
      const s = pacer.reserve();
      clock.advance(s.waitMs);
      pacer.throttled(s);
    }
    expect(pacer.ratePerSecond).toBe(0.5);
    expect(pacer.reserve().waitMs).toBe(2_000);
  });

  it('drops the rate on throttling and recovers after successes: 70 % of the learned limit at once, then additively', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, recoveryFactor: 0.7, increasePerSecond: 0.1 });
    // Throttled while sending 40 per second (25 ms apart).
    let slot: PacerSlot | undefined;
    for (let i = 0; i < 16; i++) {
      clock.advance(25);
      slot = pacer.reserve();
    }
    pacer.throttled(slot!);
    expect(pacer.ratePerSecond).toBeCloseTo(20);
    // Still refused: the quota is full for a while; the rate halves again.
    let probe = pacer.reserve();
    clock.advance(probe.waitMs);
    pacer.throttled(probe);
    expect(pacer.ratePerSecond).toBeCloseTo(10);
    // The first success ends the episode: 0.7 × 40.
    probe = pacer.reserve();
    clock.advance(probe.waitMs);
    pacer.succeeded(probe);
    expect(pacer.ratePerSecond).toBeCloseTo(28);
    // Then + 0.1 × 40 = 4 calls per second per second of successful calls.
    const start = clock.now();
    sendOk(pacer, clock, 200);
    const seconds = (clock.now() - start) / 1000;
    expect(pacer.ratePerSecond).toBeGreaterThan(28 + 4 * seconds * 0.9);
    expect(pacer.ratePerSecond).toBeLessThan(28 + 4 * seconds * 1.1 + 1);
  });

  it('takes back the slots handed out at the old rate when throttled', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, recoveryFactor: 1 });
    let slot: PacerSlot | undefined;
    for (let i = 0; i < 16; i++) {
      clock.advance(10);
      slot = pacer.reserve();
    }
    pacer.throttled(slot!); // 100/s → 50/s
    pacer.succeeded(pacer.reserve()); // back at 100/s
    const queued = [pacer.reserve(), pacer.reserve()];
    expect(queued[1].waitMs).toBeGreaterThan(0);
    pacer.throttled(queued[1]); // 100/s → 50/s from now: the next slot is 20 ms away, not after the queue
    expect(pacer.reserve().waitMs).toBe(20);
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
