import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttDevice } from '@suyuan/firmware-sim/mqtt/mqtt-device';
import type { LedgerNetwork } from '../e2e/ledger-network.ts';
import type { NetnsLab } from './lab.ts';

/**
 * An investigation aid for the netns fault tests, on when `SUYUAN_NETNS_DIAG=<dir>` is set: every
 * second one line of `timeline.jsonl` says what each part was doing (each replica's view, last
 * executed, pending requests and peer links; the gateway's outbox and uploader counters from its
 * /metrics; the devices' acknowledged and unacknowledged publishes), `sockets.txt` gets `ss -tnpoi`
 * of every host at each case's start, after a heal and at a failure, and each process's whole
 * stderr goes to `<dir>/<role>.log`. A stall then shows which side stopped: this is how the
 * uploader circling back to a cut replica was found (docs/operations.md).
 */
export interface DiagSources {
  net(): LedgerNetwork | null;
  lab(): NetnsLab | null;
  devices(): Map<string, MqttDevice>;
}

/** The gateway's metrics listener port inside its own namespace when diagnostics are on. */
export const diagMetricsPort = 9464;
const sampleIntervalMs = 1000;
const sampleTimeoutMs = 3000;
const metricLine =
  /^suyuan_gateway_(submissions_total|outbox_pending |outbox_oldest|broker_clients|readings_total)/;

export class DiagSampler {
  readonly dir: string;
  private readonly sources: DiagSources;
  private readonly timelineFile: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(dir: string, sources: DiagSources) {
    this.dir = dir;
    this.sources = sources;
    mkdirSync(dir, { recursive: true });
    this.timelineFile = join(dir, 'timeline.jsonl');
  }

  /** `bash -c` that runs the command with its stderr also appended to `<dir>/<role>.log`. */
  teeStderr(role: string, command: string, args: readonly string[]): { command: string; args: string[] } {
    const log = join(this.dir, `${role}.log`);
    return { command: 'bash', args: ['-c', `exec "$0" "$@" 2> >(tee -a '${log}' >&2)`, command, ...args] };
  }

  note(what: string): void {
    appendFileSync(this.timelineFile, `${JSON.stringify({ t: new Date().toISOString(), note: what })}\n`);
  }

  start(): void {
    const tick = async () => {
      try {
        appendFileSync(this.timelineFile, `${JSON.stringify(await this.sample())}\n`);
      } catch (error) {
        this.note(`sample failed: ${String(error)}`);
      }
      if (!this.stopped) this.timer = setTimeout(tick, sampleIntervalMs);
    };
    this.timer = setTimeout(tick, sampleIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** `ss -tnpoi` in every host's namespace (sockets, timers, retransmits), appended to sockets.txt. */
  sockets(label: string): void {
    const lab = this.sources.lab();
    if (!lab) return;
    const out = lab.hosts.map((h) => {
      const r = spawnSync('ip', ['netns', 'exec', h.ns, 'ss', '-tnpoi'], { encoding: 'utf8' });
      return `### ${h.name}\n${r.stdout}${r.stderr}`;
    });
    appendFileSync(
      join(this.dir, 'sockets.txt'),
      `===== ${new Date().toISOString()} ${label}\n${out.join('\n')}\n`,
    );
  }

  private async sample(): Promise<Record<string, unknown>> {
    const net = this.sources.net();
    if (!net) return { t: new Date().toISOString() };
    const replicas = await Promise.all(net.replicas.map((_, i) => replicaLine(net.url(i))));
    const devices = [...this.sources.devices().values()];
    return {
      t: new Date().toISOString(),
      replicas,
      gateway: await gatewayLines(`http://${net.placement.ip('gateway')}:${diagMetricsPort}/metrics`),
      devices: {
        inFlight: devices.reduce((sum, d) => sum + d.inFlight, 0),
        acked: devices.reduce((sum, d) => sum + d.acked.length, 0),
        connected: devices.filter((d) => d.client.connected).length,
      },
    };
  }
}

/** `view/primary[VC] ex<lastExecuted> pend<n> out<peers> in<peers>`, or the error. */
async function replicaLine(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(sampleTimeoutMs) });
    const s = (await res.json()) as Record<string, unknown>;
    const peers = s.peers as { sendingTo: number[]; receivingFrom: number[] };
    const vc = s.inViewChange ? 'VC' : '';
    return `${s.view}/${s.primary}${vc} ex${s.lastExecuted} pend${s.pendingRequests} out${peers.sendingTo.join('')} in${peers.receivingFrom.join('')}`;
  } catch (error) {
    return `ERR ${(error as Error).message}`;
  }
}

async function gatewayLines(url: string): Promise<string[]> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(sampleTimeoutMs) });
    return (await res.text()).split('\n').filter((line) => metricLine.test(line));
  } catch (error) {
    return [`ERR ${(error as Error).message}`];
  }
}
