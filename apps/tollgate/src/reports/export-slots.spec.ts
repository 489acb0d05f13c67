import type { TollgateConfig } from '@tollgate/config';
import { ExportSlots, ExportSlotsTaken } from './export-slots';

const slots = (perKey: number, max: number) => new ExportSlots({ TOLLGATE_EXPORTS_PER_KEY: perKey, TOLLGATE_EXPORTS_MAX: max } as TollgateConfig);

describe('ExportSlots', () => {
  it('refuses a key past its own limit while other keys still get slots', () => {
    const s = slots(2, 10);
    s.take('a');
    s.take('a');
    expect(() => s.take('a')).toThrow(/this API key already runs 2 exports/);
    expect(() => s.take('b')).not.toThrow();
    expect(s.running).toBe(3);
  });

  it('refuses every key past the overall limit, with a 429', () => {
    const s = slots(5, 2);
    s.take('a');
    s.take('b');
    let refused: unknown;
    try {
      s.take('c');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ExportSlotsTaken);
    expect((refused as ExportSlotsTaken).getStatus()).toBe(429);
    expect((refused as ExportSlotsTaken).message).toMatch(/2 exports are running/);
  });

  it('gives a slot back once however often it is released', () => {
    const s = slots(1, 1);
    const release = s.take('a');
    release();
    release();
    expect(s.running).toBe(0);
    const again = s.take('a');
    expect(() => s.take('b')).toThrow(ExportSlotsTaken);
    again();
    expect(s.running).toBe(0);
  });
});
