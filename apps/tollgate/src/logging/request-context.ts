import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being served, for log lines written while serving it. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
