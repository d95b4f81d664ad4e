import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { getSubmissionStatus } from '@suyuan/edge/outbox/cloud-client';
import { CpuTally } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/gateway-status-cost.ts --base DIR [--rounds 12]`: this process's CPU time and
 * minor page faults per status GET of the uploader (`getSubmissionStatus`, a committed answer the
 * size of a compact receipt, ~6 KB), this tree's (node:http, http-post.ts `getBytes`) against
 * DIR's (a `git archive` of main with node_modules linked: `fetch`), alternating every round. The
 * server runs in a child process, so only the asking side is counted.
 */
const { values } = parseArgs({
  options: { base: { type: 'string' }, rounds: { type: 'string', default: '12' } },
});
const getsPerRound = 200;
const warmRounds = 2;

const serverSource = `
const http = require('node:http');
const answer = JSON.stringify({ status: 'committed', receipt: { submitter: 'k', seq: 7, pad: 'x'.repeat(6000) } });
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(answer);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

const child: ChildProcess = spawn(process.execPath, ['-e', serverSource], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((done) =>
  child.stdout!.once('data', (data) => done(Number(String(data).trim()))),
);
const baseUrl = `http://127.0.0.1:${port}`;
const ways: Record<string, typeof getSubmissionStatus> = { 'this tree': getSubmissionStatus };
const base = values.base;
if (base !== undefined) {
  const at = pathToFileURL(join(resolve(base), 'edge/src/outbox/cloud-client.ts')).href;
  ways['base tree'] = (await import(at)).getSubmissionStatus;
}
const stop = new AbortController();
const tally = new CpuTally();
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const names = Object.keys(ways);
    for (const name of round % 2 === 0 ? names : names.reverse()) {
      const before = { us: process.cpuUsage(), faults: process.resourceUsage().minorPageFault };
      for (let i = 0; i < getsPerRound; i++) {
        const outcome = await ways[name]!(baseUrl, 'k', 7, undefined, 5000, stop.signal);
        if (outcome.kind !== 'committed') throw new Error(`${name}: ${JSON.stringify(outcome)}`);
      }
      const used = process.cpuUsage(before.us);
      const faults = process.resourceUsage().minorPageFault - before.faults;
      if (round >= warmRounds) tally.add(name, getsPerRound, used.user + used.system, faults);
    }
  }
  console.log(
    JSON.stringify({ cpuUsPerGet: tally.perUnit(), minorFaultsPerThousandGets: tally.faultsPerThousand() }),
  );
} finally {
  child.kill();
}
