import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control/control.router';
import { sendJson } from './http/sim-http.util';
import { SimState } from './sim.state';
import { handleSlackApi, SLACK_API_PREFIX } from './slack/slack-api.handler';
import { GOOGLE_PREFIX, handleGoogleApi } from './google-workspace/google-api.handler';
import { handleM365Api, M365_PREFIX } from './microsoft365/m365-api.handler';

export interface ProviderSimOptions {
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
}

export interface ProviderSim {
  /** Base URL, e.g. `http://127.0.0.1:9090`; Slack tenants live under `${url}/slack/api`. */
  url: string;
  close(): Promise<void>;
  state: SimState;
}

async function dispatch(req: IncomingMessage, res: ServerResponse, state: SimState): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.local');
  if (url.pathname.startsWith(SLACK_API_PREFIX)) return handleSlackApi(req, res, url, state.slack, state.faults);
  if (url.pathname.startsWith(GOOGLE_PREFIX)) return handleGoogleApi(req, res, url, state.google, state.faults);
  if (url.pathname.startsWith(M365_PREFIX)) return handleM365Api(req, res, url, state.microsoft365, state.faults);
  if (url.pathname.startsWith(CONTROL_PREFIX)) return handleControl(req, res, url, state);
  if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
  sendJson(res, 404, { error: 'not_found', message: `no route ${url.pathname}` });
}

export function startProviderSim(opts: ProviderSimOptions = {}): Promise<ProviderSim> {
  const state = new SimState();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    dispatch(req, res, state).catch((err: unknown) => {
      console.error('provider-sim: request failed', err);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
      else res.destroy();
    });
  });
  // Clients keep connections alive; close() must not wait for them to go idle on their own.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;

  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${port}`,
        state,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
