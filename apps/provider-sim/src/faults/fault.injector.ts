import { z } from 'zod';

const target = {
  provider: z.enum(['slack', 'microsoft365', 'google-workspace']).default('slack'),
  /** Only requests carrying this credential (Slack: the bearer token); all tenants when absent. */
  token: z.string().min(1).optional(),
  /** Exact method name or a glob (`admin.*`, `team.*Logs`); every method when absent. */
  method: z.string().min(1).default('*'),
  /** How many requests it affects before it disarms itself; unlimited when absent. */
  times: z.number().int().positive().optional(),
};

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...target,
    kind: z.literal('status'),
    status: z.number().int().min(200).max(599),
    /** Seconds, or any string (an HTTP date, garbage) to test how clients parse it. */
    retryAfter: z.union([z.number().nonnegative(), z.string()]).optional(),
    /** Raw body text, or a JSON object; a provider-typical error body when absent. */
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  }),
  z.strictObject({ ...target, kind: z.literal('slow'), delayMs: z.number().int().nonnegative().max(600_000) }),
  z.strictObject({ ...target, kind: z.literal('malformed') }),
  z.strictObject({
    ...target,
    kind: z.literal('wrong-shape'),
    /** The answer's list field comes back as a string, or not at all. */
    variant: z.enum(['string', 'missing']).default('string'),
  }),
  z.strictObject({ ...target, kind: z.literal('reset') }),
  z.strictObject({ ...target, kind: z.literal('huge'), sizeMb: z.number().positive().max(4096).default(32) }),
  z.strictObject({ ...target, kind: z.literal('endless-paging') }),
]);

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type FaultConfig = z.output<typeof faultSpecSchema>;
export type Fault = FaultConfig & { id: string; remaining: number | null; hits: number };

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/**
 * Armed faults, checked in the order they were added; the first one that matches a request (and has
 * uses left) shapes its answer. One fault per request keeps scenarios predictable.
 */
export class FaultInjector {
  private faults: { fault: Fault; pattern: RegExp }[] = [];
  private nextId = 1;

  add(spec: FaultSpec | FaultConfig): Fault {
    const config = faultSpecSchema.parse(spec);
    const fault: Fault = { ...config, id: `fault-${this.nextId++}`, remaining: config.times ?? null, hits: 0 };
    this.faults.push({ fault, pattern: globToRegExp(config.method) });
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f.fault }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.fault.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  /** Finds the fault for this request and uses it up once. */
  take(provider: string, token: string | undefined, method: string): Fault | undefined {
    if (this.faults.length === 0) return undefined;
    for (const entry of this.faults) {
      const { fault } = entry;
      if (fault.provider !== provider) continue;
      if (fault.token !== undefined && fault.token !== token) continue;
      if (!entry.pattern.test(method)) continue;
      if (fault.remaining !== null) {
        if (fault.remaining <= 0) continue;
        fault.remaining--;
      }
      fault.hits++;
      return fault;
    }
    return undefined;
  }
}
