import {
  canonicalBytes,
  canonicalize,
  generateKeyPair,
  limits,
  type MeasurementType,
  measurementTypes,
  merkleLeafHash,
  publicKeyToText,
  type Reading,
  SeededRng,
  SOIL_MOISTURE_TYPE,
  submissionHeader,
} from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import {
  encodeReadingBatches,
  readingBatchPayloadBytesMax,
  sealReadingBatch,
  sealSubmission,
} from './seal.ts';
import { txLeafHash } from './tx-leaf.ts';

const key = generateKeyPair();
const T0 = 1_750_000_000_000;

function readings(n: number, rng: SeededRng, deviceId = 'soil-1', wide = false): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId,
    seq: (i + 2 ** 20) * 2 ** 32 + rng.int(1000),
    time: wide ? Number.MAX_SAFE_INTEGER - rng.int(1e6) : T0 + rng.int(1e6),
    type: wide ? SOIL_MOISTURE_TYPE : 'Temperature',
    value: wide ? rng.next() * 1e-6 : Math.round((rng.next() * 100 - 50) * 1000) / 1000,
    uom: wide ? 'P1' : 'CEL',
  }));
}

describe('reading batches', () => {
  it('seals the same submission as the general path, written around the payload texts', () => {
    const rng = new SeededRng(3);
    const rs = readings(700, rng);
    const [batch] = encodeReadingBatches(rs);
    expect(batch!.texts).toHaveLength(700);
    const fast = sealReadingBatch(key, 9, T0, batch!);
    const general = sealSubmission(
      key,
      9,
      T0,
      rs.map((reading) => ({ kind: 'reading', reading: { ...reading } })),
    );
    expect(fast.header).toEqual(general.header);
    expect(JSON.parse(fast.body)).toEqual(JSON.parse(general.body));
    const parsed = JSON.parse(fast.body) as { publicKey: string; submission: { payloads: unknown[] } };
    expect(parsed.publicKey).toBe(publicKeyToText(key.publicKey));
    expect(
      submissionHeader({
        submitter: key.keyId,
        seq: 9,
        created: T0,
        payloads: parsed.submission.payloads as never,
      }),
    ).toEqual(fast.header);
  });

  it('cuts batches by count and by bytes', () => {
    const rng = new SeededRng(4);
    expect(encodeReadingBatches(readings(600, rng), 256).map((b) => b.texts.length)).toEqual([256, 256, 88]);
    const many = readings(limits.batchReadingsMax + 10, rng);
    expect(encodeReadingBatches(many).map((b) => b.texts.length)).toEqual([limits.batchReadingsMax, 10]);
    // Long device ids, numbers and type URIs: 4,096 of them would pass the submission byte limit, so the cut is by bytes.
    const wide = readings(limits.batchReadingsMax, rng, 'd'.repeat(64), true);
    const batches = encodeReadingBatches(wide);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      const bytes = b.texts.reduce((n, t) => n + Buffer.byteLength(t) + 1, 0);
      expect(bytes).toBeLessThanOrEqual(readingBatchPayloadBytesMax);
      const { body } = sealReadingBatch(key, 1, T0, b);
      const { submission } = JSON.parse(body) as { submission: unknown };
      expect(canonicalBytes(submission).length).toBeLessThanOrEqual(limits.submissionBytesMax);
    }
    expect(batches.reduce((n, b) => n + b.texts.length, 0)).toBe(limits.batchReadingsMax);
  });
});

describe('canonical bodies', () => {
  /** Every measurement type, with values that stress number printing, and device ids of every path. */
  function oddReadings(): Reading[] {
    const values = [-40.25, 0, -0, 1e-7, 123456.789, 5e-324, 1e21, 2 ** 53 + 2, 0.1 + 0.2, 85];
    const ids = ['soil-1', 'a.b_c:d-E9', 'd'.repeat(64), '温室-传感器-1', 'e\u0301\n"q"'];
    const types = Object.keys(measurementTypes) as MeasurementType[];
    return types.flatMap((type, t) =>
      values.map((value, v) => ({
        deviceId: ids[(t + v) % ids.length]!,
        seq: v === 0 ? 0 : v * 2 ** 32 + t,
        time: v % 2 === 0 ? T0 + v : Number.MAX_SAFE_INTEGER - t,
        type,
        value,
        uom: measurementTypes[type].uoms[0]!,
      })),
    );
  }

  it('writes a reading batch body byte for byte as its canonical JSON', () => {
    const rs = oddReadings();
    const [batch] = encodeReadingBatches(rs);
    expect(batch!.texts).toHaveLength(rs.length);
    for (const seq of [1, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const { body } = sealReadingBatch(key, seq, seq === 1 ? 0 : T0, batch!);
      expect(body).toBe(canonicalize(JSON.parse(body)));
    }
    // The seeded readings of the other tests too.
    const [plain] = encodeReadingBatches(readings(300, new SeededRng(6), 'x', true));
    const { body } = sealReadingBatch(key, 7, T0, plain!);
    expect(body).toBe(canonicalize(JSON.parse(body)));
  });

  it('writes an event submission body canonically, with the header of the general path', () => {
    const payloads = [
      { kind: 'event', event: { z: 1, a: [3, { y: null, b: true }], é: 'ü', '10': 1.5e-9 } },
      { kind: 'reading', reading: { value: -0.5, deviceId: '温室', uom: 'CEL', type: 'Temperature' } },
      { b: 'line\nbreak\t"quoted"\u2028', a: -1e21 },
    ];
    const { body, header } = sealSubmission(key, 3, T0, payloads);
    expect(body).toBe(canonicalize(JSON.parse(body)));
    const parsed = JSON.parse(body) as { publicKey: string; submission: { payloads: unknown[] } };
    expect(parsed.submission.payloads).toEqual(payloads);
    expect(header).toEqual(submissionHeader({ submitter: key.keyId, seq: 3, created: T0, payloads }));
    for (const few of [[], [payloads[0]!]]) {
      const sealed = sealSubmission(key, 4, T0, few);
      expect(sealed.body).toBe(canonicalize(JSON.parse(sealed.body)));
      expect(
        (JSON.parse(sealed.body) as { submission: { payloads: unknown[] } }).submission.payloads,
      ).toEqual(few);
    }
  });
});

describe('txLeafHash', () => {
  it('equals the leaf of the canonical transaction, plain or not', () => {
    const rng = new SeededRng(5);
    const payloads: unknown[] = readings(50, rng).map((reading) => ({ kind: 'reading', reading }));
    const tx = {
      kind: 'readingBatch',
      publicKey: 'k',
      signed: { submitter: 's', seq: 1, payloadsRoot: 'r', payloadCount: 50, created: T0, v: 1 },
      payloads,
      gaps: [{ deviceId: 'soil-1', after: 1, next: 3 }],
    };
    const leaf = (value: unknown) => Buffer.from(merkleLeafHash(canonicalBytes(value))).toString('hex');
    const fast = (value: Record<string, unknown>) => Buffer.from(txLeafHash(value)).toString('hex');
    expect(fast(tx)).toBe(leaf(tx));
    // Odd payloads take the general encoder: an extra member, a reordered reading, another kind.
    const odd = JSON.parse(JSON.stringify(tx)) as typeof tx & { payloads: Record<string, unknown>[] };
    odd.payloads[0] = { ...odd.payloads[0], extra: 1 };
    const r = (odd.payloads[1] as { reading: Record<string, unknown> }).reading;
    odd.payloads[1] = {
      reading: { value: r.value, uom: r.uom, type: r.type, time: r.time, seq: r.seq, deviceId: r.deviceId },
      kind: 'reading',
    };
    odd.payloads[2] = { kind: 'event', event: { a: 1 } };
    odd.payloads[3] = JSON.parse(
      canonicalize(odd.payloads[3]).replace('{"deviceId"', '{"__proto__":{},"deviceId"'),
    );
    expect(fast(odd)).toBe(leaf(odd));
    const other = { kind: 'payload', payload: { kind: 'event' }, signed: tx.signed };
    expect(fast(other)).toBe(leaf(other));
  });
});
