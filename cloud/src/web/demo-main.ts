import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { defaultFairTurnLimits } from '../http/fair-turns.ts';
import { createDemoWeb } from './demo.ts';
import { startWebServer } from './server.ts';

/**
 * Run the demo web app:
 * `tsx cloud/src/web/demo-main.ts --items 100000 --port 0 [--workers 2] [--no-cache] [--no-fast-path]
 * [--turn-work-ms 2]`. `--turn-work-ms Infinity` works every queued request in one event-loop turn
 * (before session 5 every request ran in its socket's read callback: the same, for accepting).
 * `--no-fast-path` serves every request through hono (session 3's path; the benchmark compares).
 * Prints one JSON line `{"url": …, "demoItem": …}` once listening (tests and the benchmark read it).
 * With --workers > 1, node:cluster runs that many processes on one port, each with its own copy of the
 * read side (as read replicas would); the in-memory scan counts are then per process.
 */
const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000' },
    port: { type: 'string', default: '0' },
    workers: { type: 'string', default: '1' },
    'no-cache': { type: 'boolean', default: false },
    'no-fast-path': { type: 'boolean', default: false },
    'turn-work-ms': { type: 'string', default: String(defaultFairTurnLimits.turnWorkMsMax) },
  },
});
const itemCount = Number(values.items);
const workers = Math.max(1, Number(values.workers));

async function serveOne(): Promise<{ url: string; demoItem: unknown; items: number; pid: number }> {
  const web = await createDemoWeb({
    itemCount,
    publicBase: 'http://127.0.0.1',
    cache: !values['no-cache'],
  });
  const fast = values['no-fast-path'] ? null : web.fastPath;
  const server = await startWebServer(web.app, Number(values.port), '127.0.0.1', fast, {
    ...defaultFairTurnLimits,
    turnWorkMsMax: Number(values['turn-work-ms']),
  });
  web.deps.publicBase = server.url;
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return {
    url: server.url,
    demoItem: web.demo.demoItem,
    items: web.demo.ledger.items.size,
    pid: process.pid,
  };
}

if (workers === 1) {
  console.log(JSON.stringify(await serveOne()));
} else if (cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (info: unknown) => {
      ready += 1;
      if (ready === workers) console.log(JSON.stringify(info));
    });
  }
  // Disconnecting lets each worker finish and exit; exiting first would break their IPC channel.
  const stop = () => cluster.disconnect(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  process.on('disconnect', () => process.exit(0));
  process.send?.(await serveOne());
}
