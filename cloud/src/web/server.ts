import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { withFastPath } from '../replica/http-fast-path.ts';
import type { FastPath } from './consumer/fast-resolver.ts';

/**
 * Serve a web app on 127.0.0.1 (port 0 picks a free one); resolves once listening. With `fastPath`,
 * node:http hands each request to it first and to hono only when it declines (see fast-resolver.ts).
 */
export function startWebServer(
  app: Hono,
  port = 0,
  hostname = '127.0.0.1',
  fastPath: FastPath | null = null,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(withFastPath(getRequestListener(app.fetch), () => fastPath));
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
