import type { z } from 'zod';
import type { ProviderId } from './connector';

/**
 * The one error taxonomy for provider faults. Every poll failure ends as exactly one of these
 * reasons (plus `internal` for our own bugs), which is the `reason` label of
 * `tollgate_poll_failures_total`.
 */
export const POLL_FAILURE_REASONS = ['auth', 'throttled', 'network', 'provider_error', 'schema', 'internal'] as const;
export type PollFailureReason = (typeof POLL_FAILURE_REASONS)[number];
export type ProviderFailureReason = Exclude<PollFailureReason, 'internal'>;

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly reason: ProviderFailureReason,
    message: string,
    readonly details: {
      status?: number;
      /** Provider's own error code, e.g. Slack `missing_scope`, Graph `Authorization_RequestDenied`. */
      code?: string;
      /** Milliseconds the provider asked us to wait (Retry-After). */
      retryAfterMs?: number;
      /** Whether trying the same request again may succeed. */
      retryable?: boolean;
    } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.details.retryable ?? (this.reason === 'throttled' || this.reason === 'network');
  }
}

export function classifyFailure(err: unknown): { reason: PollFailureReason; message: string } {
  if (err instanceof ProviderError) return { reason: err.reason, message: err.message };
  return { reason: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** Provider error codes are echoed into messages only when they look like identifiers, never free text. */
export function safeCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[\w.:-]{1,64}$/.test(code) ? code : undefined;
}

/** An answer without the shape the connector relies on. Names where it is wrong, never the values. */
export function schemaFailure(provider: ProviderId, operation: string, error: z.ZodError): ProviderError {
  const issue = error.issues[0];
  const at = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  // zod's messages name expected and received types only, never the values.
  return new ProviderError('schema', `${provider} ${operation}: unexpected answer at ${at}: ${issue?.message ?? 'invalid'}`, {
    retryable: false,
  });
}

/** The answer checked against its schema, or a `schema` failure. */
export function parseAnswer<S extends z.ZodType>(provider: ProviderId, operation: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw schemaFailure(provider, operation, parsed.error);
  return parsed.data;
}
