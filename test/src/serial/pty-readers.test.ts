import { Em4100Reader, R2000Reader, UhfModule } from '@suyuan/firmware-sim/serial/index';
import { SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PtyHarness, ptyWaitMs } from './pty-harness.ts';
import { waitUntil } from './socat-pair.ts';

/**
 * Simulated RFID readers on one end of a socat pseudo-terminal pair, the gateway's tag reader on the
 * other: real ttys, real node-serialport, bytes in whatever chunks the kernel delivers.
 */

const EPC_A = '3074257BF7194E4000001A85';
const EPC_B = '3034257BF40C0E4000003039';
const EPC_C = 'E2801160600002054CC2B7BB';
const EPC_D = '7EBB7EBBA0A0020300000000';

let harness: PtyHarness;
beforeEach(() => {
  harness = new PtyHarness();
});
afterEach(async () => {
  await harness.close();
});

describe('RFID readers over pseudo-terminals', () => {
  it('UHF module: every tag in the field arrives once, repeats are debounced', {
    timeout: 30_000,
  }, async () => {
    const pair = await harness.socat();
    const module = new UhfModule({ tags: [EPC_A, EPC_B, EPC_D], rng: new SeededRng(1), roundIntervalMs: 20 });
    await harness.device(pair.pathA, module, 1);
    const { reader, reads } = harness.tagReader(pair.pathB, 'uhf-bb');
    await waitUntil(
      () => reads.length >= 3 && reader.stats.debounce.suppressed >= 6,
      ptyWaitMs,
      () => {
        return `3 tags and repeated rounds, have ${JSON.stringify(reader.stats)}`;
      },
    );
    expect(reads.map((r) => r.kind === 'epc' && r.epcHex).sort()).toEqual([EPC_A, EPC_B, EPC_D].sort());
    expect(reads.every((r) => r.readerId === 'reader-1')).toBe(true);
    expect(reader.stats.decoder).toMatchObject({ bytesSkipped: 0, checksumErrors: 0 });
    expect(module.commandsReceived).toBeGreaterThanOrEqual(1);
  });

  it('R2000 on a noisy line: all tags arrive, garbage and broken frames are counted', {
    timeout: 30_000,
  }, async () => {
    const pair = await harness.socat();
    const r2000 = new R2000Reader({ tags: [EPC_A, EPC_B, EPC_C, EPC_D], rng: new SeededRng(2), antennas: 4 });
    const noise = { garbageChance: 0.2, garbageBytesMax: 6, corruptChance: 0.1 };
    const { line } = await harness.device(pair.pathA, r2000, 2, noise);
    const { reader, reads } = harness.tagReader(pair.pathB, 'r2000', 1);
    await waitUntil(
      () =>
        reads.length >= 4 && reader.stats.decoder.checksumErrors > 0 && reader.stats.decoder.bytesSkipped > 0,
      ptyWaitMs,
      () => `4 tags and counted noise, have ${reads.length} reads, ${JSON.stringify(reader.stats.decoder)}`,
    );
    expect(reads.map((r) => r.kind === 'epc' && r.epcHex).sort()).toEqual(
      [EPC_A, EPC_B, EPC_C, EPC_D].sort(),
    );
    for (const read of reads) expect(read).toMatchObject({ kind: 'epc', pc: 0x3000 });
    const identities = new Map(
      reads.map((r) => [r.kind === 'epc' && r.epcHex, r.kind === 'epc' && r.identity.kind]),
    );
    expect(identities.get(EPC_A)).toBe('sgtin96');
    expect(identities.get(EPC_C)).toBe('raw'); // a factory code, kept as hex
    expect(reader.stats.rounds).toBeGreaterThan(0);
    expect(line.stats.corruptedFrames).toBeGreaterThan(0);
  });

  it('EM4100 reader with CR LF frames: the card arrives once while it stays', {
    timeout: 30_000,
  }, async () => {
    const pair = await harness.socat();
    await harness.device(
      pair.pathA,
      new Em4100Reader({ card: '13005D1DA5', repeatIntervalMs: 20, crlf: true }),
      3,
    );
    const { reader, reads } = harness.tagReader(pair.pathB, 'em4100');
    await waitUntil(
      () => reader.stats.debounce.suppressed >= 5,
      ptyWaitMs,
      () => 'repeated card frames',
    );
    expect(reads).toMatchObject([{ kind: 'em4100', dataHex: '13005D1DA5', cardNumber: '0006102437' }]);
  });

  it('reopens after the port disappears and carries on reading', { timeout: 30_000 }, async () => {
    let pair = await harness.socat();
    const before = new UhfModule({ tags: [EPC_A], rng: new SeededRng(4), roundIntervalMs: 20 });
    const device = await harness.device(pair.pathA, before, 4);
    const { reader, reads, states } = harness.tagReader(pair.pathB, 'uhf-bb');
    await waitUntil(
      () => reads.length === 1,
      ptyWaitMs,
      () => 'the first tag',
    );

    await pair.stop(); // unplug: both ttys vanish
    await waitUntil(
      () => reader.linkState === 'waiting' && device.port.closed,
      ptyWaitMs,
      () => 'the link to notice',
    );
    expect(states.map((s) => s.state)).toContain('waiting');
    expect(states.find((s) => s.state === 'waiting')?.reason).toBeTruthy();

    pair = await harness.socat(); // plug back in, same device paths
    await harness.device(
      pair.pathA,
      new UhfModule({ tags: [EPC_C], rng: new SeededRng(5), roundIntervalMs: 20 }),
      5,
    );
    await waitUntil(
      () => reads.length === 2,
      ptyWaitMs,
      () => `a read after reopening (states ${JSON.stringify(states)})`,
    );
    expect(reads.map((r) => r.kind === 'epc' && r.epcHex)).toEqual([EPC_A, EPC_C]);
    expect(reader.linkState).toBe('open');
    expect(reader.stats.link.opens).toBe(2);
  });
});
