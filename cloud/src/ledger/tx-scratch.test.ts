import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Payload, toBase64Url } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientRequest, CommittedBatch } from '../consensus/types.ts';
import { cachedRequestVerifier } from '../replica/request-auth.ts';
import { defaultChains, parseLedgerConfig } from './config.ts';
import { LedgerMachine } from './ledger-machine.ts';
import { type Actor, actor, clientRequest, register, submitBody, T0 } from './testing.ts';
import { TxScratch } from './tx-scratch.ts';

/**
 * The reused memory for transaction bytes must never hand out memory a live region holds: regions
 * of one batch are disjoint, growing keeps earlier regions' bytes, and a ledger writing its reading
 * batch transactions through it stores exactly what a ledger building them as strings stores.
 */
describe('TxScratch', () => {
  it('hands out disjoint regions, keeps them through growth, and reuses its memory after reset', () => {
    const scratch = new TxScratch(64);
    const a = scratch.take(10).fill(1);
    const b = scratch.take(20).fill(2); // grows: a keeps the old memory
    const c = scratch.take(15).fill(3); // grows to 40
    const d = scratch.take(20).fill(4); // fits beside c
    expect(d.buffer).toBe(c.buffer);
    const own = scratch.take(100); // over the limit: a Buffer of its own
    own.fill(5);
    expect(own.buffer).not.toBe(c.buffer);
    expect([...a]).toEqual(new Array(10).fill(1));
    expect([...b]).toEqual(new Array(20).fill(2));
    expect([...c]).toEqual(new Array(15).fill(3));
    expect([...d]).toEqual(new Array(20).fill(4));
    scratch.reset();
    expect(scratch.take(5).buffer).toBe(c.buffer);
  });
});

let dir: string;
let admin: Actor;
let gateway: Actor;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-tx-scratch-'));
  admin = actor('admin');
  gateway = actor('farm-gw');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const readings = (from: number, count: number): Payload[] =>
  Array.from({ length: count }, (_, k) => ({
    kind: 'reading',
    reading: {
      deviceId: 'probe-1',
      seq: from + k,
      time: T0,
      type: 'Temperature',
      value: 20 + ((from + k) % 97) / 10,
      uom: 'CEL',
    },
  }));

describe('a ledger writing reading batch transactions through the scratch', () => {
  it('stores the same transactions as one building them as strings, several per batch', () => {
    const verifier = cachedRequestVerifier();
    const config = parseLedgerConfig({
      chains: defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    });
    const asText = new LedgerMachine(join(dir, 'text.sqlite'), config);
    const asBytes = new LedgerMachine(join(dir, 'bytes.sqlite'), config, {
      verifySignature: verifier,
      takeChecked: verifier.takeChecked,
    });
    const bind: Payload = {
      kind: 'registry',
      action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId },
    };
    const batches: ClientRequest[][] = [
      [clientRequest(submitBody(admin, [register(gateway, ['farm'])], T0))],
      [clientRequest(submitBody(gateway, [bind], T0))],
    ];
    let next = 1;
    // Three submissions a batch, growing, then smaller: the scratch grows inside a batch and the
    // next batch overwrites the memory the previous one wrote from.
    for (const sizes of [
      [40, 300, 900],
      [900, 20, 500],
      [10, 10, 10],
    ]) {
      batches.push(
        sizes.map((count) => {
          const request = clientRequest(submitBody(gateway, readings(next, count), T0));
          next += count;
          return request;
        }),
      );
    }
    for (const [i, requests] of batches.entries()) {
      for (const r of requests) expect(verifier(r)).toBe(true);
      const batch = { seq: i + 1, view: 0, requests, certificate: null } as unknown as CommittedBatch;
      const a = asText.applyBatch(batch);
      const b = asBytes.applyBatch(batch);
      expect(toBase64Url(b.stateDigest)).toBe(toBase64Url(a.stateDigest));
    }
    const rows = (m: LedgerMachine) =>
      m.db.prepare('SELECT chain, height, idx, leaf_hash, tx FROM txs ORDER BY 1, 2, 3').all();
    expect(rows(asBytes)).toEqual(rows(asText));
    const readingTxs = asBytes.db
      .prepare(`SELECT count(*) FROM txs WHERE tx LIKE '%"readingBatch"%'`)
      .pluck()
      .get();
    expect(readingTxs).toBe(9);
    asText.close();
    asBytes.close();
  });
});
