import { parseArgs } from 'node:util';
import { createDemoWeb } from './demo.ts';
import { startWebServer } from './server.ts';

/**
 * Run the demo web app: `tsx cloud/src/web/demo-main.ts --items 100000 --port 0`. Prints one JSON line
 * `{"url": …, "demoItem": …}` once listening (tests and the benchmark read it).
 */
const { values } = parseArgs({
  options: { items: { type: 'string', default: '1000' }, port: { type: 'string', default: '0' } },
});
const itemCount = Number(values.items);
const port = Number(values.port);
const web = await createDemoWeb({ itemCount, publicBase: 'http://127.0.0.1' });
const server = await startWebServer(web.app, port);
web.deps.publicBase = server.url;
console.log(
  JSON.stringify({ url: server.url, demoItem: web.demo.demoItem, items: web.demo.ledger.items.size }),
);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
