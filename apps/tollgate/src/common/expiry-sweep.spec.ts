import { describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { TollgateConfig } from '@tollgate/config';
import { ExpirySweep } from './expiry-sweep';

class TestSweep extends ExpirySweep {
  constructor(role: string, registry: SchedulerRegistry, private readonly sweep: () => Promise<number>) {
    super('test-sweep', { expired: 'expired', failed: 'failed' }, { TOLLGATE_ROLE: role } as TollgateConfig, registry);
  }

  protected expireDue(): Promise<number> {
    return this.sweep();
  }
}

describe('ExpirySweep', () => {
  it('registers its interval before the first sweep is awaited, so a start that fails meanwhile leaves no timer', async () => {
    const registry = new SchedulerRegistry();
    let finishFirst!: (n: number) => void;
    const sweep = new TestSweep('worker', registry, () => new Promise<number>((resolve) => (finishFirst = resolve)));
    const booting = sweep.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual(['test-sweep']);
    // Another start-up hook failed: the app closes, and the scheduler clears what is registered.
    registry.deleteInterval('test-sweep');
    finishFirst(0);
    await booting;
    expect(registry.getIntervals()).toEqual([]);
  });

  it('does not run on the api role', async () => {
    const registry = new SchedulerRegistry();
    let ran = false;
    await new TestSweep('api', registry, async () => {
      ran = true;
      return 0;
    }).onApplicationBootstrap();
    expect(ran).toBe(false);
    expect(registry.getIntervals()).toEqual([]);
  });
});
