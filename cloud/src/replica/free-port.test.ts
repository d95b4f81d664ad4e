import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, freePortAttemptsMax, freePortRange } from './keygen.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function occupy(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, so no outgoing connection can take them', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort('127.0.0.1'));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(freePortRange.min);
      expect(port).toBeLessThanOrEqual(freePortRange.max);
    }
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('skips a port that is taken, and falls back to a kernel port after the attempts run out', async () => {
    const taken = await occupy(0);
    const picks: number[] = [];
    const port = await freePort('127.0.0.1', () => {
      picks.push(taken);
      return taken;
    });
    expect(picks).toHaveLength(freePortAttemptsMax);
    expect(port).not.toBe(taken);
    expect(port).toBeGreaterThan(0);
  });
});
