/**
 * The one error taxonomy for provider faults. Every poll failure ends as exactly one of these
 * reasons (plus `internal` for our own bugs), which is the `reason` label of
 * `tollgate_poll_failures_total`.
 */
export type ProviderFailureReason = 'auth' | 'throttled' | 'network' | 'provider_error' | 'schema';
export type PollFailureReason = ProviderFailureReason | 'internal';

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
