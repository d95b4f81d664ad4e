import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildGatewayBundle } from '@suyuan/edge/build';
import { FakeLedger, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { GatewayProcess, setUpGateway } from '../edge/gateway-process.ts';
import { ackedCount } from './edge-proc.ts';

/**
 * `tsx test/src/bench/gateway-alloc.ts --base DIR [--runs 2] [--rate 12000] [--duration-ms 8000]`:
 * CPU and minor page faults per acknowledged reading of a real gateway process (compiled, the
 * recommended V8 flags) for this tree and the tree at DIR (e.g. a `git archive` of an older commit
 * with node_modules linked in), runs alternating. Devices publish QoS 1 messages of 200 readings;
 * an honest fake replica in this process accepts, commits and answers compact receipts, so the
 * gateway does its whole work: ingest flush, POST, status GETs, receipt checks. Figures come from
 * /proc/<pid>/stat (utime + stime, minflt) from the first publish until the fake ledger holds every
 * acknowledged reading, per acknowledged reading; this process's own work (devices, fake cloud) is
 * not counted.
 */
const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    runs: { type: 'string', default: '2' },
    rate: { type: 'string', default: '12000' },
    'duration-ms': { type: 'string', default: '8000' },
    /** Extra node flags for the gateway, space-separated (e.g. `--perf-basic-prof` for `perf`). */
    'node-flags': { type: 'string', default: '' },
  },
});
const perMessage = 200;
const devicesCount = 20;
/** Longest wait after the load for the uploads to reach the fake ledger. */
const drainMsMax = 60_000;
const nodeFlags = [
  '--max-semi-space-size=4',
  '--max-old-space-size=96',
  ...(values['node-flags'] ?? '').split(' ').filter(Boolean),
];

/** utime + stime in ms and minor faults of a process (/proc/<pid>/stat fields 14, 15 and 10). */
function procStat(pid: number): { cpuMs: number; faults: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, faults: Number(fields[7]) };
}

async function measure(label: string, cli: string, rate: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gwalloc-'));
  const ledger = new FakeLedger();
  const cloud = await startFakeReplica(ledger, 'honest');
  const rng = new SeededRng(rate);
  const kinds = ['soil', 'air', 'light', 'coldChain'] as const;
  const nodes = Array.from(
    { length: devicesCount },
    (_, i) =>
      new SensorNode({ deviceId: `bench-${i}`, kind: kinds[i % 4]!, startMs: Date.now(), rng: rng.fork() }),
  );
  const setup = await setUpGateway(
    dir,
    { urls: [cloud.url], replicaPublicKeys: ledger.replicaPublicKeys },
    nodes.map((n) => n.deviceId),
  );
  const gateway = new GatewayProcess(setup.configPath, nodeFlags, cli);
  await gateway.start();
  const devices = devicesFor(nodes, `mqtt://127.0.0.1:${setup.port}`, setup.credentials);
  try {
    await Promise.all([...devices.values()].map((d) => d.connected()));
    const pid = gateway.pid!;
    const durationMs = Number(values['duration-ms']);
    const start = procStat(pid);
    await runLoad(nodes, devices, {
      readingsPerSecond: rate,
      durationMs,
      readingsPerMessage: perMessage,
      inFlightPerDeviceMax: 64,
      drainMsMax: 10_000,
    });
    const acked = ackedCount(devices);
    // Until the fake ledger holds every acknowledged reading: the uploads of the run count too.
    for (let waited = 0; ledger.readingCounts.size < acked && waited < drainMsMax; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const end = procStat(pid);
    if (gateway.exited) throw new Error(`gateway died during the run: ${gateway.stderr}`);
    return {
      label,
      ackedReadings: acked,
      usPerReading: Math.round(((end.cpuMs - start.cpuMs) * 1000 * 100) / acked) / 100,
      faultsPerThousandReadings: Math.round(((end.faults - start.faults) * 1000 * 10) / acked) / 10,
      committedReadings: ledger.readingCounts.size,
    };
  } finally {
    await Promise.all([...devices.values()].map((d) => d.close()));
    await gateway.stop();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// A gateway stopped at the end of a run may cut a POST short; the fake replica's server reports
// that as an error on the request it was reading, which must not end the bench.
process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
  if (error.code === 'ECONNRESET') return;
  console.error(error);
  process.exit(1);
});

const trees: { label: string; cli: string }[] = [{ label: 'new', cli: (await buildGatewayBundle()).cli }];
if (values.base) {
  const at = pathToFileURL(join(resolve(values.base), 'edge/src/build.ts')).href;
  const build = (await import(at)) as typeof import('@suyuan/edge/build');
  trees.push({ label: 'base', cli: (await build.buildGatewayBundle()).cli });
}
for (let run = 0; run < Number(values.runs); run++) {
  const order = run % 2 === 0 ? trees : [...trees].reverse();
  for (const tree of order)
    console.log(JSON.stringify(await measure(tree.label, tree.cli, Number(values.rate))));
}
