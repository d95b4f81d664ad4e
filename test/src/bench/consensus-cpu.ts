import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system) used so far by this process's direct children — the replica processes
 * the bench spawned — read from /proc (Linux; elsewhere null). CPU time per committed request is the
 * figure a busy machine does not distort much: wall-clock throughput moves with everyone else's load,
 * CPU per request mostly does not, and it compares directly with the verification cost the bound
 * assumes (n replicas × one Ed25519 verification per request).
 */
const clockTicksPerS = 100; // USER_HZ: 100 on every Linux the project runs on

export function childrenCpuMs(parentPid = process.pid): number | null {
  const split = childrenCpuSplitMs(parentPid);
  return split === null ? null : split.userMs + split.systemMs;
}

/** The same, split into user and system (kernel: sockets, SQLite's writes and fsyncs) time. */
export function childrenCpuSplitMs(parentPid = process.pid): { userMs: number; systemMs: number } | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let userTicks = 0;
  let systemTicks = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command name: state ppid ... utime(14) stime(15), 1-based.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== parentPid) continue;
    userTicks += Number(fields[11]);
    systemTicks += Number(fields[12]);
  }
  return { userMs: (userTicks * 1000) / clockTicksPerS, systemMs: (systemTicks * 1000) / clockTicksPerS };
}
