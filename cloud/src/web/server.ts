import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { defaultFairTurnLimits, type FairTurnLimits, fairTurns } from '../http/fair-turns.ts';
import type { FastPath } from './consumer/fast-resolver.ts';

/**
 * Serve a web app on 127.0.0.1 (port 0 picks a free one); resolves once listening. With `fastPath`,
 * each request goes to it first and to hono only when it declines (see fast-resolver.ts). Requests
 * are handled in short event-loop turns (fair-turns.ts), so a busy server still accepts connections.
 */
export function startWebServer(
  app: Hono,
  port = 0,
  hostname = '127.0.0.1',
  fastPath: FastPath | null = null,
  turns: FairTurnLimits = defaultFairTurnLimits,
): Promise<{ url: string; close: () => Promise<void> }> {
  const viaHono = getRequestListener(app.fetch);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (fastPath && (await fastPath(req, res))) return;
    await viaHono(req, res);
  };
  const server = createServer(fairTurns(handle, turns));
  return new Promise((resolve) => {
    server.listen(port, hostname, () => {
      const info = server.address() as AddressInfo;
      resolve({
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
