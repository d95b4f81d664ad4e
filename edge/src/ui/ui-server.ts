import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createFarmUi } from './ui-app.tsx';
import type { UiConfig } from './ui-config.ts';
import type { FarmUiDeps } from './ui-env.ts';

/** The farmer UI on its own HTTP listener (127.0.0.1 by default; the farm's Wi-Fi only by config). */
export interface UiServer {
  port: number;
  close(): Promise<void>;
}

export function startUiServer(config: UiConfig, deps: Omit<FarmUiDeps, 'config'>): Promise<UiServer> {
  const app = createFarmUi({ ...deps, config });
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: config.host, port: config.port },
      (info: AddressInfo) =>
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        }),
    );
    server.once('error', reject);
  });
}
