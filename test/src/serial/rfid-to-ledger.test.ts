import { Gateway } from '@suyuan/edge/gateway/gateway';
import { tempDir, testConfig, testKey } from '@suyuan/edge/gateway/test-support';
import { FakeLedger, type FakeReplica, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import { openNodeSerialPort, SerialTagSource } from '@suyuan/edge/serial/index';
import { UhfModule } from '@suyuan/firmware-sim/serial/index';
import { decodeSgtin96, SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PtyHarness, ptyWaitMs } from './pty-harness.ts';
import { waitUntil } from './socat-pair.ts';

/**
 * A tag on the packing table reaches the ledger: a simulated UHF module on one end of a socat pty
 * pair, the gateway daemon's reader source on the other; the read becomes an EPCIS ObjectEvent
 * OBSERVE at the reader's read point, signed by the gateway, committed by the (fake) cloud, and its
 * receipt verified against the replica keys. A tag that names no GS1 item stays a local read only.
 */
const SGTIN_A = '3074257BF7194E4000001A85';
const SGTIN_B = '3034257BF40C0E4000003039';
const FACTORY_CODE = 'E2801160600002054CC2B7BB';
const readPoint = 'urn:epc:id:sgln:0614141.00001.packhouse';

let harness: PtyHarness;
let dir: ReturnType<typeof tempDir>;
let ledger: FakeLedger;
let cloud: FakeReplica;
let gateway: Gateway | null = null;

beforeEach(async () => {
  harness = new PtyHarness();
  dir = tempDir('rfid-ledger-');
  ledger = new FakeLedger();
  cloud = await startFakeReplica(ledger);
});
afterEach(async () => {
  await gateway?.stop();
  gateway = null;
  await cloud.close();
  await harness.close();
  dir.remove();
});

interface ObservedEvent {
  action: string;
  epcList: string[];
  readPoint: { id: string };
  bizStep?: string;
  'suyuan:rfidRead': { reader: string; tag: string };
}

describe('RFID tag read → signed EPCIS event → ledger', () => {
  it('a UHF read over a pty becomes a committed OBSERVE event at the read point', {
    timeout: 30_000,
  }, async () => {
    const pair = await harness.socat();
    const module = new UhfModule({
      tags: [SGTIN_A, SGTIN_B, FACTORY_CODE],
      rng: new SeededRng(3),
      roundIntervalMs: 20,
    });
    await harness.device(pair.pathA, module, 3);
    const source = new SerialTagSource(
      { path: pair.pathB, baudRate: 115200, readerId: 'packhouse-1', protocol: 'uhf-bb' },
      { openPort: openNodeSerialPort, debounce: { windowMs: 60_000, entriesMax: 100 } },
    );
    const config = testConfig(dir.path, [cloud.url], ledger, {
      rfidReaders: [{ readerId: 'packhouse-1', readPoint, bizStep: 'inspecting' }],
    });
    gateway = await Gateway.start(config, { key: testKey, rng: new SeededRng(1), sources: [source] });
    const g = gateway;
    await waitUntil(
      () => ledger.businessPayloads.length >= 2 && g.outbox.stats().committed >= 1,
      ptyWaitMs,
      () => `2 events committed, have ${ledger.businessPayloads.length}, ${JSON.stringify(g.outbox.stats())}`,
    );
    await waitUntil(
      () => g.outbox.stats().pending + g.outbox.stats().accepted === 0,
      ptyWaitMs,
      () => `outbox drained, have ${JSON.stringify(g.outbox.stats())}`,
    );
    const events = ledger.businessPayloads.map((p) => (p.payload as { event: ObservedEvent }).event);
    const uris = events.flatMap((e) => e.epcList).sort();
    const expected = [SGTIN_A, SGTIN_B].map((hex) => {
      const tag = decodeSgtin96(hex);
      if (tag.kind !== 'sgtin96') throw new Error(`${hex} is not an SGTIN-96`);
      return tag.idUri;
    });
    expect(uris).toEqual(expected.sort());
    for (const e of events) {
      expect(e).toMatchObject({ action: 'OBSERVE', readPoint: { id: readPoint }, bizStep: 'inspecting' });
      expect(e['suyuan:rfidRead'].reader).toBe('packhouse-1');
    }
    // Every submission was signed by the gateway key, and the receipt checked against the replicas.
    expect(new Set(ledger.businessPayloads.map((p) => p.submitter))).toEqual(new Set([testKey.keyId]));
    expect(g.uploader.stats.badReceipts).toBe(0);
    const rows = g.db
      .prepare("SELECT state, COUNT(*) AS n FROM outbox WHERE kind = 'event' GROUP BY state")
      .all() as { state: string; n: number }[];
    expect(rows).toEqual([{ state: 'committed', n: rows[0]?.n }]);
    // The factory-coded tag is kept as a read, but makes no event.
    const reads = g.db.prepare('SELECT DISTINCT epc FROM tag_read ORDER BY epc').all() as { epc: string }[];
    expect(reads.map((r) => r.epc)).toEqual([SGTIN_B, SGTIN_A, FACTORY_CODE].sort());
    expect(source.delivered).toBe(3);
  });

  it('a reader without a read point records reads but queues no event', { timeout: 30_000 }, async () => {
    const pair = await harness.socat();
    const module = new UhfModule({ tags: [SGTIN_A], rng: new SeededRng(4), roundIntervalMs: 20 });
    await harness.device(pair.pathA, module, 4);
    const source = new SerialTagSource(
      { path: pair.pathB, baudRate: 115200, readerId: 'unplaced-1', protocol: 'uhf-bb' },
      { openPort: openNodeSerialPort },
    );
    const config = testConfig(dir.path, [cloud.url], ledger, {
      rfidReaders: [{ readerId: 'packhouse-1', readPoint }],
    });
    gateway = await Gateway.start(config, { key: testKey, rng: new SeededRng(1), sources: [source] });
    await waitUntil(
      () => source.delivered >= 1,
      ptyWaitMs,
      () => 'one read delivered',
    );
    expect(gateway.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'event'").get()).toEqual({
      n: 0,
    });
    expect(ledger.businessPayloads).toEqual([]);
  });
});
