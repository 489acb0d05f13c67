import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { TollgateConfig } from '@tollgate/config';
import { BaselineRegistry, SHIPPED_PRESETS_DIR, type Baseline } from '@tollgate/baseline';

/** The baselines in force: shipped presets plus TOLLGATE_BASELINES_DIR, loaded once at start. */
@Injectable()
export class BaselinesService {
  private readonly logger = new Logger('Baselines');
  private readonly registry: BaselineRegistry;
  private readonly dirs: string[];

  constructor(config: TollgateConfig) {
    this.dirs = [SHIPPED_PRESETS_DIR, ...(config.TOLLGATE_BASELINES_DIR ? [config.TOLLGATE_BASELINES_DIR] : [])];
    this.registry = BaselineRegistry.load(this.dirs);
    this.logger.log({ message: 'baselines loaded', baselines: this.registry.list().map((b) => `${b.id}@${b.version}`) });
  }

  list(): Baseline[] {
    return this.registry.list();
  }

  find(id: string): Baseline | undefined {
    return this.registry.get(id);
  }

  get(id: string): Baseline {
    const baseline = this.registry.get(id);
    if (!baseline) throw new NotFoundException(`baseline ${id} does not exist`);
    return baseline;
  }

  /** Re-reads the files; on any error the previous good set stays in force and the error is thrown. */
  reload(): void {
    try {
      this.registry.reload(this.dirs);
    } catch (err) {
      this.logger.error({ message: 'baseline reload refused; the previous baselines stay in force', error: (err as Error).message });
      throw err;
    }
    this.logger.log({ message: 'baselines reloaded', baselines: this.registry.list().map((b) => `${b.id}@${b.version}`) });
  }
}
