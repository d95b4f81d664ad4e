import { generateKeyPair, type Reading } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { FakeLedger } from './fake-cloud.ts';
import { receiptProblem } from './receipt-check.ts';
import { readingBatches, sealSubmission } from './seal.ts';

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
  const [payloads] = readingBatches([1, 2, 3].map((i) => reading(seq * 10 + i)));
  const { body, header } = sealSubmission(key, seq, T0, payloads!);
  ledger.submit(JSON.parse(body));
  const status = ledger.status(key.keyId, seq) as { receipt: unknown };
  return { receipt: status.receipt, header };
}

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
