import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { postBytes } from '@suyuan/edge/outbox/http-post';
import { CpuTally } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/gateway-post-cost.ts [--rounds 12] [--mb 1]`: this process's CPU time and minor
 * page faults per POST of an outbox-sized body (a reused Buffer, as the uploader holds it), sent with
 * `fetch` (what the uploader used before session 8) and with `postBytes` (http-post.ts), alternating
 * every round. The server runs in a child process, so only the sending side is counted.
 */
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '12' }, mb: { type: 'string', default: '1' } },
});
const postsPerRound = 10;
const warmRounds = 2;

const serverSource = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'pending', bytes }));
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (data) => resolve(Number(String(data).trim()))),
  );
  return { child, url: `http://127.0.0.1:${port}/v1/submissions` };
}

const { child, url } = await startServer();
const body = Buffer.alloc(Math.round(Number(values.mb) * 1_000_000), 0x61);
const ways: Record<string, () => Promise<unknown>> = {
  fetch: async () => {
    const signal = AbortSignal.timeout(10_000);
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      signal,
    });
    return response.text();
  },
  postBytes: () => postBytes(url, body, 'application/json', AbortSignal.timeout(10_000), 1 << 22),
};
const tally = new CpuTally();
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const names = round % 2 === 0 ? ['postBytes', 'fetch'] : ['fetch', 'postBytes'];
    for (const name of names) {
      const before = { us: process.cpuUsage(), faults: process.resourceUsage().minorPageFault };
      for (let i = 0; i < postsPerRound; i++) await ways[name]!();
      const used = process.cpuUsage(before.us);
      const faults = process.resourceUsage().minorPageFault - before.faults;
      if (round >= warmRounds) tally.add(name, postsPerRound, used.user + used.system, faults);
    }
  }
} finally {
  child.kill();
}
const us = tally.perUnit();
const faults = tally.faultsPerThousand();
for (const name of Object.keys(ways)) {
  console.log(
    `${name.padEnd(10)} ${(us[name]! / 1000).toFixed(3)} ms CPU per ${values.mb} MB POST, ` +
      `${(faults[name]! / 1000).toFixed(1)} faults per POST`,
  );
}
