import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What is being served — a request, or a poll of one connection — so that every log line written
 * while serving it carries these fields, whoever writes it.
 */
export interface LogContext {
  requestId?: string;
  pollId?: string;
  connectionId?: string;
  connectionName?: string;
}

export const logContext = new AsyncLocalStorage<LogContext>();
