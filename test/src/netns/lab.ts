import { execFileSync, spawnSync } from 'node:child_process';

/**
 * A small network of separate "hosts" on this machine: one network namespace per host, each with an
 * `eth0` veth cabled to a bridge that lives in its own switch namespace, plus one veth from the root
 * namespace (where the test runs) to the same bridge. Cutting a host's cable (`ip link set … down` on
 * the switch side) partitions it from everyone; the test's own cable is never cut. Names carry a
 * per-process tag so parallel runs do not collide, and `destroy()` removes every namespace and link
 * (also on process exit), so nothing outlives a failing test.
 */
export interface LabHost {
  name: string;
  ns: string;
  ip: string;
}

const ipBin = 'ip';

function ip(args: string[]): void {
  execFileSync(ipBin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaces cannot be used here (null when they can): not root, no `ip`, or netns refused. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (ip netns needs CAP_SYS_ADMIN)';
  if (spawnSync(ipBin, ['-V']).status !== 0) return 'the ip command (iproute2) is not installed';
  const probe = `syprobe${process.pid % 100_000}`;
  const added = spawnSync(ipBin, ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) return `ip netns add failed: ${added.stderr.trim()}`;
  spawnSync(ipBin, ['netns', 'del', probe]);
  return null;
}

export class NetnsLab {
  readonly hosts: LabHost[];
  /** The root namespace's address on the lab network (the test process talks from here). */
  readonly controlIp: string;
  private readonly tag: string;
  private readonly switchNs: string;
  private destroyed = false;
  private readonly onExit = () => this.destroy();

  private constructor(tag: string, subnet: string, names: readonly string[]) {
    this.tag = tag;
    this.switchNs = `${tag}-sw`;
    this.controlIp = `${subnet}.254`;
    this.hosts = names.map((name, k) => ({ name, ns: `${tag}-h${k}`, ip: `${subnet}.${k + 1}` }));
  }

  /** Builds the lab; on any failure removes what it made and rethrows. */
  static create(names: readonly string[]): NetnsLab {
    const tag = `sy${process.pid % 100_000}`;
    const subnet = `10.231.${process.pid % 250}`;
    const lab = new NetnsLab(tag, subnet, names);
    process.once('exit', lab.onExit);
    try {
      lab.build(subnet);
    } catch (error) {
      lab.destroy();
      throw error;
    }
    return lab;
  }

  private build(subnet: string): void {
    const sw = this.switchNs;
    ip(['netns', 'add', sw]);
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    this.hosts.forEach((host, k) => {
      ip(['netns', 'add', host.ns]);
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
      const inner = `${this.tag}h${k}`;
      ip(['link', 'add', inner, 'type', 'veth', 'peer', 'name', this.portOf(k)]);
      ip(['link', 'set', inner, 'netns', host.ns]);
      ip(['-n', host.ns, 'link', 'set', inner, 'name', 'eth0']);
      ip(['-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0']);
      ip(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
      ip(['link', 'set', this.portOf(k), 'netns', sw]);
      ip(['-n', sw, 'link', 'set', this.portOf(k), 'master', 'br0']);
      ip(['-n', sw, 'link', 'set', this.portOf(k), 'up']);
    });
    const control = `${this.tag}c`;
    ip(['link', 'add', control, 'type', 'veth', 'peer', 'name', `${this.tag}cs`]);
    ip(['link', 'set', `${this.tag}cs`, 'netns', sw]);
    ip(['-n', sw, 'link', 'set', `${this.tag}cs`, 'master', 'br0']);
    ip(['-n', sw, 'link', 'set', `${this.tag}cs`, 'up']);
    ip(['addr', 'add', `${subnet}.254/24`, 'dev', control]);
    ip(['link', 'set', control, 'up']);
  }

  /** The switch-side end of host k's cable. */
  private portOf(k: number): string {
    return `${this.tag}s${k}`;
  }

  host(name: string): LabHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no lab host ${name}`);
    return host;
  }

  /** Unplugs the host's cable: it can reach nobody and nobody reaches it. */
  cut(name: string): void {
    ip(['-n', this.switchNs, 'link', 'set', this.portOf(this.hosts.indexOf(this.host(name))), 'down']);
  }

  /** Plugs the cable back in. */
  heal(name: string): void {
    ip(['-n', this.switchNs, 'link', 'set', this.portOf(this.hosts.indexOf(this.host(name))), 'up']);
  }

  /** Plugs every cable back in (a no-op for those already in; nothing once destroyed). */
  healAll(): void {
    if (this.destroyed) return;
    for (const host of this.hosts) this.heal(host.name);
  }

  /** `command args` run inside the host's namespace (`ip netns exec` execs, so the pid is the command's). */
  wrap(name: string, command: string, args: readonly string[]): { command: string; args: string[] } {
    return { command: ipBin, args: ['netns', 'exec', this.host(name).ns, command, ...args] };
  }

  /** Removes every namespace and link of the lab; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.onExit);
    for (const host of this.hosts) spawnSync(ipBin, ['netns', 'del', host.ns]);
    spawnSync(ipBin, ['netns', 'del', this.switchNs]);
    spawnSync(ipBin, ['link', 'del', `${this.tag}c`]);
  }

  /** Namespaces of this lab still present (for the cleanup assertion). */
  leftovers(): string[] {
    const listed = spawnSync(ipBin, ['netns', 'list'], { encoding: 'utf8' }).stdout;
    return listed
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith(`${this.tag}-`));
  }
}
