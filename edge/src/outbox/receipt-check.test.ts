import { generateKeyPair, type Reading } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { compactForm, FakeLedger } from './fake-cloud.ts';
import { OwnPayloads, payloadsArrayContent } from './own-payloads.ts';
import { receiptProblem, storedReceiptJson } from './receipt-check.ts';
import { encodeReadingBatches, sealReadingBatch, sealSubmission } from './seal.ts';

/**
 * The lighter receipt check: the transaction's readings are bound by hashes, not by a schema, so
 * any change to one of them must still fail; a certificate verified once is remembered, but a
 * tampered one is not taken for it.
 */
const key = generateKeyPair();
const T0 = 1_750_000_000_000;
const reading = (seq: number): Reading => ({
  deviceId: 'soil-1',
  seq,
  time: T0 + seq,
  type: 'Temperature',
  value: 20 + seq / 10,
  uom: 'CEL',
});

function committed(ledger: FakeLedger, seq: number) {
  const [batch] = encodeReadingBatches([1, 2, 3].map((i) => reading(seq * 10 + i)));
  const { body, header } = sealReadingBatch(key, seq, T0, batch!);
  ledger.submit(JSON.parse(body));
  const status = ledger.status(key.keyId, seq) as { receipt: unknown };
  return { receipt: status.receipt, header, body };
}

const own = (body: string) => new OwnPayloads(() => body);
/** The payloads array's content as text, or null. */
const arrayContent = (body: string) => {
  const content = payloadsArrayContent(Buffer.from(body));
  return content === null ? null : Buffer.from(content).toString();
};

type Mutable = { entries: { tx: Record<string, unknown>; proof: Record<string, unknown> }[] };
const copy = (x: unknown) => JSON.parse(JSON.stringify(x)) as Mutable;

describe('receiptProblem', () => {
  it('accepts a true receipt and refuses any changed reading, header or signature', () => {
    const ledger = new FakeLedger();
    const { receipt, header } = committed(ledger, 1);
    expect(receiptProblem(receipt, header, ledger.replicaPublicKeys)).toBeNull();

    const reading0 = copy(receipt);
    const payloads = reading0.entries[0]!.tx.payloads as { reading: { value: number } }[];
    payloads[0]!.reading.value += 1;
    expect(receiptProblem(reading0, header, ledger.replicaPublicKeys)).toMatch(/txRoot/);

    const notReading = copy(receipt);
    (notReading.entries[0]!.tx.payloads as unknown[])[1] = { anything: 'at all' };
    expect(receiptProblem(notReading, header, ledger.replicaPublicKeys)).toMatch(/txRoot/);

    const noSigned = copy(receipt);
    delete noSigned.entries[0]!.tx.signed;
    expect(receiptProblem(noSigned, header, ledger.replicaPublicKeys)).toMatch(/malformed/);

    expect(receiptProblem(receipt, { ...header, seq: 2 }, ledger.replicaPublicKeys)).not.toBeNull();
  });

  it('remembers a verified certificate, and still refuses a forged one for the same batch', () => {
    const ledger = new FakeLedger();
    const { receipt, header } = committed(ledger, 1);
    expect(receiptProblem(receipt, header, ledger.replicaPublicKeys)).toBeNull();
    expect(receiptProblem(receipt, header, ledger.replicaPublicKeys)).toBeNull();
    const forged = copy(receipt);
    const cert = (forged.entries[0]!.proof.block as { certificate: { signatures: { signature: string }[] } })
      .certificate;
    for (const s of cert.signatures)
      s.signature = `${s.signature.slice(0, 85)}${s.signature.endsWith('A') ? 'B' : 'A'}`;
    expect(receiptProblem(forged, header, ledger.replicaPublicKeys)).toMatch(/quorum|undecodable/);
    // Other replica keys: the remembered verdict belongs to the key set it was checked with.
    const strangers = new FakeLedger().replicaPublicKeys;
    expect(receiptProblem(receipt, header, strangers)).toMatch(/quorum/);
  });
});

describe('compact receipts (reading batches without their payloads)', () => {
  const ledger = new FakeLedger();
  const keys = ledger.replicaPublicKeys;

  it('verifies with the gateway splicing its own payloads back in; the full form still verifies', () => {
    const { receipt, header, body } = committed(ledger, 1);
    const compact = compactForm(receipt) as Mutable;
    expect(compact.entries[0]!.tx.payloads).toBeUndefined();
    expect(receiptProblem(compact, header, keys, undefined, own(body))).toBeNull();
    expect(receiptProblem(receipt, header, keys, undefined, own(body))).toBeNull();
    expect(receiptProblem(receipt, header, keys)).toBeNull();
    // Without the body there is nothing to check the ledger's payloads against.
    expect(receiptProblem(compact, header, keys)).toMatch(/no payloads/);
  });

  it('fails when the ledger holds other payloads than the ones we sent', () => {
    const { receipt, header } = committed(ledger, 2);
    const [other] = encodeReadingBatches([1, 2, 3].map((i) => reading(900 + i)));
    const otherBody = sealReadingBatch(key, 2, T0, other!).body;
    const compact = compactForm(receipt);
    expect(receiptProblem(compact, header, keys, undefined, own(otherBody))).toMatch(/txRoot/);
  });

  it('fails when the entry names the wrong payload indexes', () => {
    const { receipt, header, body } = committed(ledger, 3);
    for (const indexes of [
      [2, 1, 0],
      [0, 1],
      [0, 1, 1],
      [0, 1, 3],
    ]) {
      const lie = compactForm(receipt) as Mutable & { entries: { payloadIndexes: number[] }[] };
      lie.entries[0]!.payloadIndexes = indexes;
      expect(receiptProblem(lie, header, keys, undefined, own(body))).not.toBeNull();
    }
  });

  it('refuses a compact entry that still carries payloads, or is not a reading batch', () => {
    const { receipt, header, body } = committed(ledger, 4);
    const both = copy(receipt) as Mutable & { entries: { payloadsOmitted?: true }[] };
    both.entries[0]!.payloadsOmitted = true;
    expect(receiptProblem(both, header, keys, undefined, own(body))).toMatch(/not a reading batch/);
    const otherKind = copy(compactForm(receipt));
    otherKind.entries[0]!.tx.kind = 'payload';
    expect(receiptProblem(otherKind, header, keys, undefined, own(body))).toMatch(/not a reading batch/);
  });

  it('checks a body whose payload texts are not canonical by encoding them (the slower way)', () => {
    const payloads = [1, 2].map((i) => {
      const r = reading(50 + i);
      // Members out of canonical order: the body's text is not the ledger's.
      return {
        reading: { value: r.value, uom: r.uom, type: r.type, time: r.time, seq: r.seq, deviceId: r.deviceId },
        kind: 'reading',
      };
    });
    const { body, header } = sealSubmission(key, 5, T0, payloads);
    ledger.submit(JSON.parse(body));
    const { receipt } = ledger.status(key.keyId, 5) as { receipt: unknown };
    expect(arrayContent(body)).not.toBeNull();
    expect(receiptProblem(compactForm(receipt), header, keys, undefined, own(body))).toBeNull();
  });

  it('cuts the payloads array out of a body in either envelope member order, and nothing else', () => {
    const [batch] = encodeReadingBatches([reading(1), reading(2)]);
    const { body } = sealReadingBatch(key, 6, T0, batch!);
    expect(arrayContent(body)).toBe(batch!.texts.join(','));
    const parsed = JSON.parse(body) as { publicKey: string; submission: Record<string, unknown> };
    const s = parsed.submission;
    const reordered = `{"submission":{"created":${s.created},"payloads":[${batch!.texts.join(',')}],"seq":6,"signature":"${s.signature}","submitter":"${s.submitter}"},"publicKey":"${parsed.publicKey}"}`;
    expect(arrayContent(reordered)).toBe(batch!.texts.join(','));
    expect(arrayContent(body.replace('"created"', '"meta":{"x":1},"created"'))).toBeNull();
    expect(arrayContent(`${body.slice(0, -2)},"extra":{"a":1}}}`)).toBeNull();
  });

  it('stores a receipt without the readings, in either form', () => {
    const { receipt } = committed(ledger, 7);
    const fromFull = JSON.parse(storedReceiptJson(receipt)) as Mutable;
    const fromCompact = JSON.parse(storedReceiptJson(compactForm(receipt))) as Mutable;
    expect(fromFull).toEqual(fromCompact);
    expect(fromFull.entries[0]!.tx.payloads).toBeUndefined();
  });
});
