import { fork } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { bodyReadListeners } from '@suyuan/cloud/http/body-read-listeners';

/**
 * `tsx test/src/bench/http-body-cost.ts [--rounds 6] [--posts 40]`: the server's CPU µs per POST of a
 * ~1 MB body (a 4,096-reading submission's size) through node:http + @hono/node-server + hono with
 * `bodyLimit`, read in the handler by `c.req.arrayBuffer()` (a fetch Request over a web stream of
 * the socket, read by undici) or pre-read from the socket before hono (`prereadBody`). The client
 * is a child process, so the server process's CPU is the server's alone; the two servers alternate.
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    posts: { type: 'string', default: '40' },
    client: { type: 'string' },
  },
});
const bodyBytes = 1_050_000;

if (values.client !== undefined) {
  // Child: POST `posts` bodies one after another to the port, then exit.
  const port = Number(values.client);
  const body = Buffer.alloc(bodyBytes, 0x61);
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { port, method: 'POST', path: '/v1/submissions', headers: { 'content-length': body.length } },
        (res) => {
          res.resume();
          if (res.statusCode !== 202) reject(new Error(`answered ${res.statusCode}`));
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < Number(values.posts); i++) await post();
  process.exit(0);
}

const listeners = bodyReadListeners('/v1/submissions', 2 * 1024 * 1024, bodyBytes);
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const totals = new Map<string, { us: number; posts: number }>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, listener] of round % 2 === 1 ? [...listeners].reverse() : listeners) {
    const server = createServer((req, res) => void listener(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const start = cpuUs();
    const child = fork(process.argv[1]!, ['--client', String(port), '--posts', values.posts!], {
      execArgv: process.execArgv,
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`${name}: the client failed`);
    const entry = totals.get(name) ?? { us: 0, posts: 0 };
    entry.us += cpuUs() - start;
    entry.posts += Number(values.posts);
    totals.set(name, entry);
    await new Promise((resolve) => server.close(resolve));
  }
}
const perPost = Object.fromEntries([...totals].map(([name, t]) => [name, Math.round(t.us / t.posts)]));
console.log(JSON.stringify({ benchmark: 'http-body-cost', bodyBytes, cpuUsPerPost: perPost }, null, 2));
