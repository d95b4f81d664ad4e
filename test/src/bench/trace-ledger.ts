import { defaultChains, parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import { LedgerMachine } from '@suyuan/cloud/ledger/ledger-machine';
import type { EventPointer } from '@suyuan/cloud/ledger/state-store';
import { events, gtin, item, lot, sscc, T0 } from '@suyuan/cloud/ledger/testing';
import {
  attestationBytes,
  canonicalize,
  type Ed25519KeyPair,
  GENESIS_PREV_HASH,
  generateKeyPair,
  headerHash,
  type JsonValue,
  type LedgerTx,
  type Payload,
  type SignedHeader,
  sign,
  signSubmission,
  stateDigestOf,
  submissionHeader,
  toBase64Url,
  txLeafHash,
} from '@suyuan/shared';

/**
 * Builds a bench ledger of `blocks` tiny blocks (one transaction each) straight through the storage
 * layer, with real header hashes, Merkle roots, per-item links, indexes and 4-replica state
 * certificates (3 signatures each), but without running validation: the bench measures trace, not
 * ingest. Each batch seals one trace-chain block (an event of one of 10,000 filler items) and one
 * telemetry-chain block (a reading batch); one traced jar's lineage (harvest lot → pallet → sauce
 * lot → jar, 11 events, really signed) is spread evenly over the whole height. Filler transactions
 * share one pre-signed header. Writes go in big transactions.
 */

/** Bump when the builder writes different data: cached ledgers of another version are rebuilt. */
export const benchLedgerBuilderVersion = 2;

export interface BenchLedger {
  machine: LedgerMachine;
  /** The ledger configuration it was built with (to reopen a cached file). */
  config: unknown;
  replicaKeys: Uint8Array[];
  target: { jar: string; harvest: string; pallet: string; sauce: string };
  buildMs: number;
}

const fillerItemsCount = 10_000;
const batchesPerTransaction = 10_000;

export function buildBenchLedger(path: string, blocks: number): BenchLedger {
  const started = performance.now();
  const author = generateKeyPair();
  const replicas = Array.from({ length: 4 }, () => generateKeyPair());
  const configInput = {
    chains: defaultChains,
    genesis: { admins: [{ id: 'admin', name: 'admin', publicKey: toBase64Url(author.publicKey) }] },
  };
  const config = parseLedgerConfig(configInput);
  const machine = new LedgerMachine(path, config);
  machine.db.pragma('synchronous = NORMAL'); // bench data only: durability is not what is measured
  const target = {
    harvest: lot(gtin.tomato, 'BENCH'),
    pallet: sscc(900_001),
    sauce: lot(gtin.sauce, 'BENCH'),
    jar: item(gtin.sauce, 'BENCH-JAR'),
  };
  const lineage: Payload[] = [
    events.harvest(T0, target.harvest, 500),
    events.pack(T0, target.pallet, [], [{ id: target.harvest, kg: 500 }]),
    events.ship(T0, [target.pallet]),
    events.receive(T0, [target.pallet]),
    events.transform(T0, [{ id: target.harvest, kg: 500 }], [{ id: target.sauce, kg: 400 }]),
    events.transformItems(T0, [{ id: target.sauce, kg: 0.5 }], [target.jar]),
    events.ship(T0, [target.jar]),
    events.receive(T0, [target.jar]),
    events.hold(T0, [target.jar]),
    events.ship(T0, [target.jar]),
    events.sell(T0, [target.jar]),
  ];
  const lineageAt = new Map(
    lineage.map((p, i) => [Math.floor(((i + 0.5) * Math.ceil(blocks / 2)) / lineage.length), p]),
  );
  const writer = new BenchWriter(machine, author, replicas);
  for (const key of Object.values(target)) writer.putItem(key);
  writer.edges(target);
  for (let i = 0; i < fillerItemsCount; i++) writer.putItem(item(gtin.tomato, `F${i}`));

  // Each batch seals two blocks, one per chain, as a busy network's batches do.
  const batches = Math.ceil(blocks / 2);
  let seq = 0;
  while (seq < batches) {
    const end = Math.min(batches, seq + batchesPerTransaction);
    machine.db.transaction(() => {
      for (; seq < end; seq++) {
        const lineageEvent = lineageAt.get(seq);
        const payload =
          lineageEvent ?? events.commission(T0, [item(gtin.tomato, `F${seq % fillerItemsCount}`)]);
        const sealed = [writer.event(seq + 1, payload, lineageEvent !== undefined, 0)];
        if (2 * seq + 1 < blocks) sealed.push(writer.readings(seq + 1, 1));
        writer.certify(seq + 1, sealed);
      }
    })();
  }
  return {
    machine,
    config: configInput,
    replicaKeys: replicas.map((r) => r.publicKey),
    target,
    buildMs: performance.now() - started,
  };
}

interface Sealed {
  hash: Uint8Array;
  at: EventPointer;
}

class BenchWriter {
  private readonly machine: LedgerMachine;
  private readonly author: Ed25519KeyPair;
  private readonly replicas: Ed25519KeyPair[];
  private readonly heads = new Map<string, { height: number; hash: string }>();
  private readonly last = new Map<string, EventPointer>();
  private readonly putBatch;
  private authorSeq = 0;
  private filler: SignedHeader | undefined;

  constructor(machine: LedgerMachine, author: Ed25519KeyPair, replicas: Ed25519KeyPair[]) {
    this.machine = machine;
    this.author = author;
    this.replicas = replicas;
    this.putBatch = machine.db.prepare(
      'INSERT INTO ledger_batches (seq, state_digest, block_time, headers, certificate) VALUES (?, ?, ?, ?, ?)',
    );
  }

  putItem(key: string): void {
    const kind = key.includes('/10/') ? 'lgtin' : key.includes('/00/') ? 'sscc' : 'sgtin';
    const item = {
      key,
      kind,
      owner: 'farm',
      holder: 'farm',
      status: 'active',
      parent: null,
      quantity: null,
      uom: null,
      transit: null,
    } as const;
    this.machine.state.apply({ type: 'putItem', item });
  }

  edges(t: BenchLedger['target']): void {
    const s = this.machine.state;
    s.apply({ type: 'edge', kind: 'contains', from: t.pallet, to: t.harvest });
    s.apply({ type: 'edge', kind: 'madeFrom', from: t.sauce, to: t.harvest });
    s.apply({ type: 'edge', kind: 'madeFrom', from: t.jar, to: t.sauce });
  }

  private signed(payloads: Payload[]): SignedHeader {
    const body = {
      submitter: this.author.keyId,
      seq: ++this.authorSeq,
      created: T0,
      payloads: payloads as JsonValue[],
    };
    const s = signSubmission(body, this.author.privateKey);
    const h = submissionHeader(body);
    return {
      submitter: s.submitter,
      seq: s.seq,
      created: s.created,
      payloadCount: h.payloadCount,
      payloadsRoot: h.payloadsRoot,
      signature: s.signature,
      publicKey: toBase64Url(this.author.publicKey),
    };
  }

  /** Filler transactions share one pre-signed header (never verified): the bench measures trace, not signing. */
  event(batchSeq: number, payload: Payload, signedForReal: boolean, headerIndex: number): Sealed {
    const touched = touchedKeys(payload);
    const links = touched.map((k) => ({ item: k, prev: this.last.get(k) ?? null }));
    this.filler ??= this.signed([payload]);
    const signed = signedForReal ? this.signed([payload]) : this.filler;
    const tx: LedgerTx = {
      v: 1,
      kind: 'payload',
      signed,
      payloadIndex: 0,
      payloadPath: [],
      payload: payload as JsonValue,
      links,
    };
    const sealed = this.seal(batchSeq, 'trace', tx, headerIndex);
    for (const k of touched) {
      this.machine.state.recordItemEvent(k, sealed.at);
      this.last.set(k, sealed.at);
    }
    return sealed;
  }

  readings(batchSeq: number, headerIndex: number): Sealed {
    const reading = {
      deviceId: 'probe-1',
      seq: batchSeq,
      time: T0,
      type: 'Temperature',
      value: 4,
      uom: 'CEL',
    };
    const payloads = [{ kind: 'reading', reading }] as Payload[];
    this.filler ??= this.signed(payloads);
    const tx = { v: 1, kind: 'readingBatch', signed: this.filler, payloads, gaps: [] } as LedgerTx;
    return this.seal(batchSeq, 'telemetry', tx, headerIndex);
  }

  /** The batch's state digest over its blocks' header hashes, certified by 3 of 4 replicas. */
  certify(batchSeq: number, sealed: Sealed[]): void {
    const digest = stateDigestOf(sealed.map((s) => s.hash));
    const message = attestationBytes(batchSeq, digest);
    const signatures = [0, 1, 2].map((r) => ({
      replica: r,
      signature: toBase64Url(sign(this.replicas[r]!.privateKey, message)),
    }));
    const certificate = JSON.stringify({ seq: batchSeq, stateDigest: toBase64Url(digest), signatures });
    const headers = JSON.stringify(sealed.map((s) => [s.at.chain, s.at.height]));
    this.putBatch.run(batchSeq, digest, T0, headers, certificate);
  }

  /** One block holding one transaction, anchored to the other chain's head. */
  private seal(batchSeq: number, chain: string, tx: LedgerTx, headerIndex: number): Sealed {
    const leaf = txLeafHash(tx);
    const head = this.heads.get(chain);
    const anchors: Record<string, { height: number; hash: string }> = {};
    for (const [other, h] of this.heads) if (other !== chain) anchors[other] = h;
    const header = {
      v: 1 as const,
      chain,
      height: (head?.height ?? 0) + 1,
      prevHash: head?.hash ?? GENESIS_PREV_HASH,
      txRoot: toBase64Url(leaf),
      txCount: 1,
      time: T0,
      batchSeq,
      anchors,
    };
    const hash = headerHash(header);
    const chains = this.machine.chains;
    chains.putBlock({ header, headerText: canonicalize(header), headerHash: hash, batchSeq, headerIndex });
    chains.putTx(chain, header.height, 0, leaf, canonicalize(tx));
    this.heads.set(chain, { height: header.height, hash: toBase64Url(hash) });
    return { hash, at: { chain, height: header.height, index: 0, leafHash: toBase64Url(leaf) } };
  }
}

function touchedKeys(payload: Payload): string[] {
  if (payload.kind !== 'event') return [];
  const e = payload.event as Record<string, unknown>;
  const keys: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && !keys.includes(v)) keys.push(v);
  };
  for (const f of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'])
    for (const v of (e[f] as unknown[]) ?? []) add(v);
  for (const f of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'])
    for (const q of (e[f] as { epcClass: string }[]) ?? []) add(q.epcClass);
  add(e['parentID']);
  return keys;
}
