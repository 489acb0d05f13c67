import { duration, freshness, type PollingState } from './posture-freshness';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const state = (over: Partial<PollingState> = {}): PollingState => ({
  enabled: true,
  pollIntervalSeconds: 900,
  consecutiveFailures: 0,
  lastFailureReason: null,
  lastSuccessAt: minutesAgo(10),
  ...over,
});

describe('posture freshness', () => {
  it('is fresh when the last poll succeeded within two intervals, the limit included', () => {
    expect(freshness(state(), NOW)).toEqual({ stale: false, staleReason: null });
    expect(freshness(state({ lastSuccessAt: minutesAgo(30) }), NOW)).toEqual({ stale: false, staleReason: null });
  });

  it('is stale when no poll succeeded for more than two intervals', () => {
    expect(freshness(state({ lastSuccessAt: minutesAgo(47) }), NOW)).toEqual({
      stale: true,
      staleReason: 'no successful poll for 47 min (interval 15 min)',
    });
  });

  it('is stale from the first failed poll, however recent the last success, and says how many failed and why', () => {
    expect(freshness(state({ consecutiveFailures: 1, lastFailureReason: 'auth' }), NOW)).toEqual({ stale: true, staleReason: 'the last poll failed: auth' });
    expect(freshness(state({ consecutiveFailures: 3, lastFailureReason: 'network', lastSuccessAt: minutesAgo(50) }), NOW)).toEqual({
      stale: true,
      staleReason: 'the last 3 polls failed: network; no successful poll for 50 min (interval 15 min)',
    });
  });

  it('is stale when no poll ever succeeded, failed or not yet run', () => {
    expect(freshness(state({ lastSuccessAt: null }), NOW)).toEqual({ stale: true, staleReason: 'never polled successfully' });
    expect(freshness(state({ lastSuccessAt: null, consecutiveFailures: 2, lastFailureReason: 'auth' }), NOW)).toEqual({
      stale: true,
      staleReason: 'the last 2 polls failed: auth; never polled successfully',
    });
  });

  it('says a stale connection is disabled, and leaves a disabled one with recent findings fresh', () => {
    expect(freshness(state({ enabled: false, lastSuccessAt: minutesAgo(3 * 24 * 60) }), NOW)).toEqual({
      stale: true,
      staleReason: 'no successful poll for 3 d (interval 15 min); polling is disabled',
    });
    expect(freshness(state({ enabled: false }), NOW)).toEqual({ stale: false, staleReason: null });
  });

  it.each([
    [0, '0 s'],
    [119.9, '119 s'],
    [120, '2 min'],
    [7199, '119 min'],
    [7200, '2 h'],
    [48 * 3600, '2 d'],
  ])('writes %d seconds as %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});
