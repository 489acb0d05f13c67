import { z } from 'zod';

/** Bad input to the control API or a store method; answered with 400 and the message. */
export class SimInputError extends Error {
  override readonly name = 'SimInputError';
}

/** A tenant or an item that does not exist; answered with 404 and the message. */
export class SimNotFoundError extends Error {
  override readonly name = 'SimNotFoundError';
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SimInputError(z.prettifyError(result.error));
  return result.data;
}

/** The tenants of one provider by the key its API addresses them with; each provider's store extends it. */
export abstract class TenantRegistry<T> {
  protected readonly tenants = new Map<string, T>();

  constructor(private readonly notFoundMessage: (key: string) => string) {}

  clear(): void {
    this.tenants.clear();
  }

  count(): number {
    return this.tenants.size;
  }

  find(key: string): T | undefined {
    return this.tenants.get(key);
  }

  get(key: string): T {
    const tenant = this.tenants.get(key);
    if (!tenant) throw new SimNotFoundError(this.notFoundMessage(key));
    return tenant;
  }

  delete(key: string): boolean {
    return this.tenants.delete(key);
  }
}
