import type { SimState } from '../sim.state';

type ControlHandler = (state: SimState, params: string[], body: () => Promise<unknown>) => unknown;

/** One scenario-control route; the Slack, Google and Microsoft 365 route lists share this shape. */
export interface ControlRoute {
  method: string;
  pattern: RegExp;
  status?: number;
  handle: ControlHandler;
}

/** A path segment, captured as a route parameter. */
export const seg = '([^/]+)';

export function route(method: string, path: string, handle: ControlHandler, status?: number): ControlRoute {
  return { method, pattern: new RegExp(`^${path}$`), handle, status };
}
