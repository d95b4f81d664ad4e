import { InputError, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  encodeMessagePieces,
  encodeMessageWithHeadroom,
  pieceBytesMin,
  wireLimits,
} from './codec.ts';
import {
  decodeNewViewPayload,
  decodePersistRecord,
  decodeViewChangePayload,
  encodePersistRecord,
  encodeViewChangePayload,
} from './payload.ts';
import type { CommittedBatch, ConsensusMessage, PersistRecord } from './types.ts';
import { ByteWriter, finishUnusedBytesMax } from './wire.ts';

const d = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const s = (b: number): Uint8Array => new Uint8Array(64).fill(b);
const request = { submitter: 'key-id-äö', seq: 7, body: Uint8Array.of(1, 2, 3) };
const batch: CommittedBatch = {
  seq: 3,
  view: 1,
  requests: [request],
  certificate: { view: 1, seq: 3, batchDigest: d(9), signatures: [{ replica: 2, signature: s(4) }] },
};

const samples: ConsensusMessage[] = [
  { type: 'request', request },
  { type: 'prePrepare', view: 2, seq: 5, batchDigest: d(1), requests: [request, request], signature: s(1) },
  { type: 'prePrepare', view: 0, seq: 1, batchDigest: d(1), requests: [], signature: s(1) },
  { type: 'prepare', view: 2, seq: 5, batchDigest: d(1), replica: 3, signature: s(2) },
  {
    type: 'commit',
    view: 2 ** 40,
    seq: Number.MAX_SAFE_INTEGER,
    batchDigest: d(1),
    replica: 1,
    signature: s(3),
  },
  { type: 'attest', seq: 16, stateDigest: d(5), replica: 0, signature: s(5) },
  { type: 'viewChange', newView: 3, replica: 1, payload: Uint8Array.of(9, 9), signature: s(6) },
  { type: 'newView', view: 3, replica: 3, payload: new Uint8Array(0), signature: s(7) },
  { type: 'fetchBatches', fromSeq: 1, toSeq: 64, replica: 2 },
  { type: 'batches', batches: [batch, batch], replica: 1 },
];

const bigBody = new Uint8Array(300_000).map((_, i) => i % 251);
const bigSamples: ConsensusMessage[] = [
  {
    type: 'prePrepare',
    view: 1,
    seq: 9,
    batchDigest: d(2),
    requests: [request, { submitter: '鍵'.repeat(40), seq: 8, body: bigBody }, { ...request, body: bigBody }],
    signature: s(8),
  },
  { type: 'body', seq: 9, batchDigest: d(2), requests: [{ ...request, body: bigBody }], replica: 2 },
  { type: 'batches', batches: [{ ...batch, requests: [{ ...request, body: bigBody }] }], replica: 0 },
];

describe('consensus codec', () => {
  it('writes the same bytes sized up front, with headroom in front, as grown from a small writer', () => {
    for (const message of [...samples, ...bigSamples]) {
      const bytes = encodeMessage(message);
      const again = encodeMessage(decodeMessage(bytes)); // toEqual on 300 KB arrays takes seconds
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      const framed = encodeMessageWithHeadroom(message, 4);
      expect([...framed.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
      expect(Buffer.from(framed.subarray(4)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('writes the same bytes in pieces, large bodies by reference, as in one buffer', () => {
    const edge = (bytes: number) => new Uint8Array(bytes).fill(bytes % 256);
    const edgeSample: ConsensusMessage = {
      type: 'prePrepare',
      view: 3,
      seq: 4,
      batchDigest: d(3),
      requests: [pieceBytesMin - 1, pieceBytesMin, 0, pieceBytesMin + 1, pieceBytesMin].map((n, i) => ({
        submitter: `s${i}`,
        seq: i,
        body: edge(n),
      })),
      signature: s(3),
    };
    for (const message of [...samples, ...bigSamples, edgeSample]) {
      const pieces = encodeMessagePieces(message, 4);
      const whole = Buffer.from(encodeMessageWithHeadroom(message, 4));
      expect(Buffer.concat(pieces).equals(whole)).toBe(true);
      const requests =
        message.type === 'batches'
          ? message.batches.flatMap((b) => b.requests)
          : 'requests' in message
            ? message.requests
            : [];
      const bodies = requests.map((r) => r.body);
      const large = bodies.filter((b) => b.length >= pieceBytesMin);
      expect(pieces.filter((p) => large.includes(p))).toHaveLength(large.length); // not copied
      const copied = pieces.filter((p) => !large.includes(p)).reduce((n, p) => n + p.length, 0);
      expect(copied).toBe(whole.length - large.reduce((n, b) => n + b.length, 0));
    }
    expect(() => new ByteWriter(16, 0, 8).push(new Uint8Array(8)).finish()).toThrow();
  });

  it('writes the same bytes whatever the size estimate, and copies rather than pin a much larger buffer', () => {
    const write = (w: ByteWriter) =>
      w
        .u8(7)
        .u32(1)
        .u64(2 ** 40)
        .bytes(bigBody)
        .fixed(d(3))
        .finish();
    const reference = write(new ByteWriter(1));
    for (const estimate of [16, 256, reference.length, reference.length + 100, 4 * reference.length]) {
      expect(Buffer.from(write(new ByteWriter(estimate))).equals(Buffer.from(reference))).toBe(true);
    }
    const oversized = write(new ByteWriter(reference.length + finishUnusedBytesMax + 1));
    expect(oversized.buffer.byteLength).toBe(reference.length);
    const headroom = new ByteWriter(4, 3).u32(0x01020304).finishWithHeadroom();
    expect([...headroom]).toEqual([0, 0, 0, 1, 2, 3, 4]);
  });

  it('round-trips every message type byte for byte', () => {
    for (const message of samples) {
      const bytes = encodeMessage(message);
      const decoded = decodeMessage(bytes);
      expect(decoded).toEqual(message);
      expect(encodeMessage(decoded)).toEqual(bytes);
    }
  });

  it('rejects truncation, trailing bytes and unknown tags with consensus.malformed', () => {
    for (const message of samples) {
      const bytes = encodeMessage(message);
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(() => decodeMessage(bytes.subarray(0, cut))).toThrow(InputError);
      }
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      expect(() => decodeMessage(longer)).toThrow(/trailing/);
    }
    expect(() => decodeMessage(Uint8Array.of(99))).toThrow(/unknown type/);
  });

  it('refuses counts over the limits before allocating', () => {
    const tooMany = new ByteWriter()
      .u8(2)
      .u64(0)
      .u64(1)
      .fixed(d(0))
      .u32(wireLimits.requestsPerBatchMax + 1)
      .finish();
    expect(() => decodeMessage(tooMany)).toThrow(/exceeds/);
    const lying = new ByteWriter().u8(2).u64(0).u64(1).fixed(d(0)).u32(1000).finish();
    expect(() => decodeMessage(lying)).toThrow(/does not fit/);
    const bigSeq = new ByteWriter().u8(8).fixed(new Uint8Array(8).fill(255)).u64(1).u32(0).finish();
    expect(() => decodeMessage(bigSeq)).toThrow(/safe integer/);
    const badUtf8 = new ByteWriter()
      .u8(1)
      .bytes(Uint8Array.of(0xff))
      .u64(1)
      .bytes(new Uint8Array(0))
      .finish();
    expect(() => decodeMessage(badUtf8)).toThrow(/UTF-8/);
  });

  it('only ever throws InputError on random and mutated input', () => {
    const rng = new SeededRng(42);
    for (let i = 0; i < 3000; i++) {
      const base = encodeMessage(samples[i % samples.length]!);
      const bytes = i % 3 === 0 ? Uint8Array.from({ length: rng.int(80) }, () => rng.int(256)) : base.slice();
      if (i % 3 !== 0) bytes[rng.int(bytes.length)] = rng.int(256);
      try {
        decodeMessage(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
      }
    }
  });

  it('round-trips view-change payloads, new-view payloads and persist records', () => {
    const checkpoint = { seq: 16, stateDigest: d(3), signatures: [{ replica: 1, signature: s(1) }] };
    const prepared = {
      view: 1,
      seq: 17,
      batchDigest: d(2),
      requests: [request],
      prePrepareSignature: s(2),
      prepares: [{ replica: 2, signature: s(3) }],
    };
    // View changes carry prepared certificates as digests: the body never travels in them.
    const { requests: _body, ...proof } = prepared;
    const vc = { checkpoint, prepared: [proof] };
    expect(decodeViewChangePayload(encodeViewChangePayload(vc))).toEqual(vc);
    expect(decodeViewChangePayload(encodeViewChangePayload({ checkpoint, prepared: [prepared] }))).toEqual(
      vc,
    );
    expect(decodeViewChangePayload(encodeViewChangePayload({ checkpoint: null, prepared: [] }))).toEqual({
      checkpoint: null,
      prepared: [],
    });
    expect(() => decodeNewViewPayload(Uint8Array.of(0, 0, 0, 5))).toThrow(InputError);
    const records: PersistRecord[] = [
      { kind: 'view', view: 4 },
      { kind: 'prepared', certificate: prepared },
      { kind: 'log', seq: 17, view: 1, batchDigest: d(2), requests: [request] },
      { kind: 'stableCheckpoint', certificate: checkpoint },
      { kind: 'truncateBelow', seq: 17 },
    ];
    for (const record of records) expect(decodePersistRecord(encodePersistRecord(record))).toEqual(record);
  });
});
