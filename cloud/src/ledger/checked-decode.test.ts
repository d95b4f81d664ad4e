import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Payload, toBase64Url } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientRequest, CommittedBatch } from '../consensus/types.ts';
import { cachedRequestVerifier } from '../replica/request-auth.ts';
import { defaultChains, parseLedgerConfig } from './config.ts';
import { LedgerMachine } from './ledger-machine.ts';
import { decodeRequest, parseSubmitBody } from './submission-check.ts';
import { digestSubmission, encodeSubmission, intakeDigest, payloadsTextOf } from './submission-digest.ts';
import { type Actor, actor, clientRequest, register, submitBody, T0 } from './testing.ts';

/**
 * A reading batch decoded from what the replica's own request check derived (no second encoding
 * and hashing of each reading) must give exactly what the full decode gives, and the ledger must
 * use a derivation only for the very bytes it came from.
 */
let dir: string;
let admin: Actor;
let gateway: Actor;
const reading = (seq: number, value: number): Payload => ({
  kind: 'reading',
  reading: { deviceId: 'probe-1', seq, time: T0, type: 'Temperature', value, uom: 'CEL' },
});
const readings = (from: number, count: number, value: number) =>
  Array.from({ length: count }, (_, k) => reading(from + k, value + k / 10));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-checked-'));
  admin = actor('admin');
  gateway = actor('farm-gw');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function machine(name: string, verifier?: ReturnType<typeof cachedRequestVerifier>): LedgerMachine {
  const config = parseLedgerConfig({
    chains: defaultChains,
    genesis: { admins: [{ id: admin.id, name: 'admin', publicKey: toBase64Url(admin.key.publicKey) }] },
  });
  return new LedgerMachine(
    join(dir, `${name}.sqlite`),
    config,
    verifier ? { verifySignature: verifier, takeChecked: verifier.takeChecked } : {},
  );
}

const batch = (seq: number, requests: ClientRequest[]) =>
  ({ seq, view: 0, requests, certificate: null }) as unknown as CommittedBatch;

/**
 * A digest from the check carries the payloads' bytes and no text (a ~1 MB string per batch); the
 * full digest has only their text. Compared as text, which `payloadsTextOf` makes from the bytes.
 */
function withoutPayloadsBytes<T extends object>(digest: T): Omit<T, 'payloadsBytes'> {
  const { payloadsBytes: _, ...rest } = digest as T & { payloadsBytes?: Uint8Array };
  if (!('header' in digest)) return rest;
  return { ...rest, payloadsText: payloadsTextOf(digest as T & { payloadsText?: string }) };
}

describe('decoding from the request check', () => {
  it('gives the full decode of a reading batch', () => {
    const verifier = cachedRequestVerifier();
    const request = clientRequest(submitBody(gateway, readings(1, 300, 20), T0));
    expect(verifier(request)).toBe(true);
    const checked = verifier.takeChecked(request);
    expect(checked).toBeDefined();
    const fromCheck = decodeRequest(request, verifier, undefined, checked);
    expect(withoutPayloadsBytes(fromCheck)).toEqual(decodeRequest(request));
    expect(fromCheck.ok).toBe(true);
    // The payloads' bytes (for the transaction's leaf) are the UTF-8 of their text, which is not
    // made: the body was read in pieces (checked-body.ts).
    if (!fromCheck.ok) throw new Error('refused');
    expect(fromCheck.payloadsText).toBeUndefined();
    const full = decodeRequest(request);
    if (!full.ok) throw new Error('refused');
    expect(Buffer.from(fromCheck.payloadsBytes!).toString('utf8')).toBe(full.payloadsText);
  });

  it('executes to the same state as without, and uses a derivation only for its own bytes', () => {
    const verifier = cachedRequestVerifier();
    const plain = machine('plain');
    const checked = machine('checked', verifier);
    const bind: Payload = {
      kind: 'registry',
      action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId },
    };
    const seq = gateway.seq + 2;
    const signedA = clientRequest(submitBody(gateway, readings(1, 50, 20), T0, seq));
    const signedB = clientRequest(submitBody(gateway, readings(1, 50, 30), T0, seq));
    const batches = [
      [clientRequest(submitBody(admin, [register(gateway, ['farm'])], T0))],
      [clientRequest(submitBody(gateway, [bind], T0, seq - 1))],
      [signedB],
      [clientRequest(submitBody(gateway, readings(51, 40, 25), T0, seq + 1))],
    ];
    verifier(signedA); // checked, but B is what gets ordered under the same (submitter, seq)
    for (const [i, requests] of batches.entries()) {
      for (const r of requests) if (r !== signedB) expect(verifier(r)).toBe(true);
      const a = plain.applyBatch(batch(i + 1, requests));
      const b = checked.applyBatch(batch(i + 1, requests));
      expect(toBase64Url(b.stateDigest)).toBe(toBase64Url(a.stateDigest));
    }
    expect(checked.chains.submission(gateway.key.keyId, seq)?.status).toBe('committed');
    // Stored from bytes or from a string, every transaction is the same TEXT value.
    const rows = (m: LedgerMachine) =>
      m.db.prepare('SELECT chain, height, idx, typeof(tx) AS type, tx FROM txs ORDER BY 1, 2, 3').all();
    expect(rows(checked)).toEqual(rows(plain));
    expect(new Set(rows(checked).map((r) => (r as { type: string }).type))).toEqual(new Set(['text']));
    const row = checked.db
      .prepare(`SELECT tx FROM txs WHERE tx LIKE '%"readingBatch"%' ORDER BY height, idx LIMIT 1`)
      .get() as { tx: string };
    const values = (JSON.parse(row.tx) as { payloads: { reading: { value: number } }[] }).payloads;
    expect(values[0]!.reading.value).toBe(30);
    // The last batch's derivation was taken at execution; the unused one for A is not B's.
    expect(verifier.takeChecked(batches[3]![0]!)).toBeUndefined();
    plain.close();
    checked.close();
  });

  it('digests at intake from the check, equal to the full digest, and in full for a refused body', () => {
    const verifier = cachedRequestVerifier();
    for (const forge of [false, true]) {
      const signed = submitBody(gateway, readings(1, 120, forge ? 5 : 20), T0);
      if (forge) signed.submission.payloads[0] = reading(1, 99);
      const parsed = parseSubmitBody(JSON.parse(JSON.stringify(signed)));
      if (!parsed.ok) throw new Error('not a submission');
      expect(parsed.plain).toBe(true);
      const encoded = encodeSubmission(parsed.body, true);
      const request = { submitter: gateway.key.keyId, seq: signed.submission.seq, body: encoded.bodyBytes };
      const digest = intakeDigest(request, parsed.body, true, encoded, verifier, verifier.takeChecked);
      expect(withoutPayloadsBytes(digest)).toEqual(digestSubmission(parsed.body, true));
      expect(verifier(request)).toBe(!forge);
      expect(verifier.takeChecked(request)).toBeUndefined(); // taken at intake, or never made
    }
  });
});
