import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sendText, waitUnlessClosed } from '../http/sim-http.util';
import type { Fault } from './fault.injector';

export type FaultOutcome = 'handled' | 'continue';

/**
 * Applies the transport-level part of a fault. Faults that need to know the method's answer
 * (`wrong-shape`, `endless-paging`) return 'continue' and are honoured by the provider handler.
 */
export async function respondWithFault(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  errorBody: (status: number) => unknown,
): Promise<FaultOutcome> {
  switch (fault.kind) {
    case 'slow':
      return (await waitUnlessClosed(res, fault.delayMs)) ? 'continue' : 'handled';
    case 'status': {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      if (typeof fault.body === 'string') {
        res.writeHead(fault.status, { 'content-type': 'text/html; charset=utf-8', ...headers });
        res.end(fault.body);
      } else {
        sendJson(res, fault.status, fault.body ?? errorBody(fault.status), headers);
      }
      return 'handled';
    }
    case 'malformed':
      // Cut mid-object, the way a proxy truncating a response would leave it.
      sendText(res, 200, 'application/json; charset=utf-8', '{"ok":true,"team":{"id":"T0');
      return 'handled';
    case 'reset':
      req.socket.destroy();
      return 'handled';
    case 'huge':
      await streamHugeBody(res, fault.sizeMb * 1024 * 1024);
      return 'handled';
    case 'wrong-shape':
    case 'endless-paging':
      return 'continue';
  }
}

async function streamHugeBody(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  const item = Buffer.from(`{"id":"X${'0'.repeat(54)}","name":"${'x'.repeat(180)}"},`);
  const chunk = Buffer.concat(Array.from({ length: Math.max(1, Math.floor(65_536 / item.length)) }, () => item));
  let sent = 0;
  res.write('{"ok":true,"items":[');
  while (sent < bytes && !res.destroyed) {
    sent += chunk.length;
    if (!res.write(chunk)) {
      const drained = await new Promise<boolean>((resolve) => {
        const onDrain = (): void => {
          res.off('close', onClose);
          resolve(true);
        };
        const onClose = (): void => {
          res.off('drain', onDrain);
          resolve(false);
        };
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
      if (!drained) return;
    }
  }
  if (!res.destroyed) res.end('{}]}');
}
