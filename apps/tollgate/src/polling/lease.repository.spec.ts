import { nextDelaySeconds } from './lease.repository';

describe('nextDelaySeconds', () => {
  const none = () => 0;
  const most = () => 0.999;

  it('waits one interval after a success, plus at most the jitter share of it', () => {
    expect(nextDelaySeconds(900, 0, 0.1, 21600, none)).toBe(900);
    expect(nextDelaySeconds(900, 0, 0.1, 21600, most)).toBeCloseTo(989.9, 1);
  });

  it('never polls sooner than the interval', () => {
    for (let i = 0; i < 100; i++) expect(nextDelaySeconds(60, 0, 0.5, 3600)).toBeGreaterThanOrEqual(60);
  });

  it('doubles the wait after each consecutive failure, up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextDelaySeconds(900, n, 0, 21600, none));
    expect(delays).toEqual([900, 1800, 3600, 7200, 14400, 21600, 21600, 21600]);
  });

  it('keeps a cap below the interval from polling a failing connection more often than a healthy one', () => {
    expect(nextDelaySeconds(900, 5, 0, 60, none)).toBe(900);
  });
});
