import type { LedgerTx, PayloadTx, Reading, SubmitRequest } from '@suyuan/shared';
import { canonicalBytes, toBase64Url } from '@suyuan/shared';
import { headerHash } from '@suyuan/shared/trace/index';
import type { LedgerReader } from '../api/ledger-node.ts';
import { bizStepOf, type EventJson, eventTimeMs } from './event-fields.ts';
import { lotKey, sgtinKey } from './identity.ts';
import type {
  BlockSummary,
  DeviceInfo,
  ItemInfo,
  ItemStatus,
  LedgerEvent,
  LotInfo,
  Participant,
  PlotInfo,
  ProductInfo,
  ReadModel,
} from './read-model.ts';

/**
 * The pages' ReadModel over the real ledger (cloud/src/ledger through the /v1 API's LedgerReader):
 * identities, per-item event chains with proofs, edges, participants, devices, heads, blocks,
 * rejections and gaps come from the ledger's own tables; what a ledger does not hold — product names
 * and cold-chain limits, which field a lot grew on, coarse regions, device kinds — comes from a
 * catalog. Charts read the ledger's device → reading-batches index (`LedgerReader.deviceReadings`).
 */

export interface WebCatalog {
  products: readonly ProductInfo[];
  /** The farm and field a lot came from (the ledger knows only its owner). */
  lotOrigin(lotKey: string): { farmId: string; plot: PlotInfo } | null;
  /** Coarse region of a participant (for clone heuristics), null if unknown. */
  regionOf(participantId: string): string | null;
  deviceKind(deviceId: string): DeviceInfo['kind'];
}

const statusOf = (s: string): ItemStatus =>
  s === 'held' || s === 'recalled' || s === 'sold' ? s : s === 'consumed' ? 'sold' : 'active';

function lotFromEvents(events: readonly LedgerEvent[]): string | null {
  for (const { tx } of events) {
    const event = (tx.payload as { event?: EventJson }).event;
    const ilmd = event?.ilmd as Record<string, unknown> | undefined;
    if (typeof ilmd?.['cbvmda:lotNumber'] === 'string') return ilmd['cbvmda:lotNumber'];
    for (const q of (event?.quantityList as { epcClass?: string }[] | undefined) ?? []) {
      const m = /^urn:epc:class:lgtin:[\d.]+\.(.+)$/.exec(q.epcClass ?? '');
      if (m) return decodeURIComponent(m[1]!);
    }
  }
  return null;
}

export function ledgerReadModel(reader: LedgerReader, catalog: WebCatalog): ReadModel {
  const m = reader.node.machine;
  const db = m.db;
  const q = {
    events: db.prepare('SELECT chain, height, idx FROM item_events WHERE item = ? ORDER BY n'),
    out: db.prepare('SELECT dst AS key FROM edges WHERE kind = ? AND src = ? ORDER BY dst'),
    in: db.prepare('SELECT src AS key FROM edges WHERE kind = ? AND dst = ? ORDER BY src'),
    participants: db.prepare('SELECT id FROM participants ORDER BY id'),
    devices: db.prepare('SELECT device_id, gateway FROM devices ORDER BY device_id'),
    lots: db.prepare("SELECT key FROM items WHERE kind = 'lgtin' ORDER BY key LIMIT ?"),
    lotsOf: db.prepare("SELECT key FROM items WHERE kind = 'lgtin' AND owner = ? ORDER BY key DESC LIMIT ?"),
    gaps: db.prepare(
      'SELECT device_id, after, next, chain, height, idx FROM gaps ORDER BY rowid DESC LIMIT ?',
    ),
  };
  const products = new Map(catalog.products.map((p) => [p.gtin, p]));
  // Telemetry commits every few seconds; pages pick new readings up by cache age instead.
  const stampChains = m.config.chains.filter((ch) => ch.kind !== 'telemetry').map((ch) => ch.name);
  const keys = (stmt: typeof q.out, kind: string, key: string) =>
    (stmt.all(kind, key) as { key: string }[]).map((r) => r.key);

  const eventsFor = async (key: string): Promise<LedgerEvent[]> => {
    const out: LedgerEvent[] = [];
    for (const row of q.events.all(key) as { chain: string; height: number; idx: number }[]) {
      const cut = reader.proofs.txProof(row.chain, row.height, row.idx);
      if (cut?.tx.kind === 'payload') out.push({ tx: cut.tx as PayloadTx, proof: cut.proof });
    }
    return out;
  };
  const children = async (key: string) => [...keys(q.out, 'contains', key), ...keys(q.in, 'madeFrom', key)];
  const parents = async (key: string) => [...keys(q.in, 'contains', key), ...keys(q.out, 'madeFrom', key)];

  const lotInfo = async (key: string): Promise<LotInfo | null> => {
    const state = m.state.item(key);
    const parts = /\/01\/(\d{14})\/10\/([^/]+)$/.exec(key);
    const origin = catalog.lotOrigin(key);
    if (!state || !parts || !origin) return null;
    const history = await eventsFor(key);
    const harvest = history.find((e) =>
      bizStepOf((e.tx.payload as { event: EventJson }).event).endsWith('/harvesting'),
    );
    return {
      key,
      gtin: parts[1]!,
      lot: decodeURIComponent(parts[2]!),
      ...origin,
      harvestedAt: harvest ? eventTimeMs((harvest.tx.payload as { event: EventJson }).event) : null,
      itemCount: (await children(key)).length,
      status: statusOf(state.status),
    };
  };

  const summary = (chain: string, height: number): BlockSummary | null => {
    const block = m.chains.block(chain, height);
    if (!block) return null;
    const signers = m.chains.batch(block.batchSeq)?.certificate?.signatures.length ?? 0;
    return { header: block.header, hash: toBase64Url(headerHash(block.header)), signerCount: signers };
  };

  const participant = async (id: string): Promise<Participant | null> => {
    const p = reader.views.participant(id);
    if (!p) return null;
    return {
      id: p.id,
      name: p.name,
      roles: p.roles,
      region: catalog.regionOf(p.id) ?? '',
      keyIds: p.keys.map((k) => k.keyId),
    };
  };

  return {
    replicaPublicKeys: () => reader.node.replicaPublicKeys,
    replicaGroups: () => reader.node.replicaGroups,
    changeStamp: () => {
      const heads = reader.views.heads();
      return stampChains.map((chain) => heads[chain] ?? 0).join('.');
    },
    product: async (gtin) => products.get(gtin) ?? null,
    products: async () => [...products.values()],
    async item(gtin, serial): Promise<ItemInfo | null> {
      const key = sgtinKey(gtin, serial);
      const state = m.state.item(key);
      if (!state) return null;
      const sameGtinLot = (await parents(key))
        .map((k) => /\/01\/(\d{14})\/10\/([^/]+)$/.exec(k))
        .find((p) => p?.[1] === gtin);
      const lot = sameGtinLot ? decodeURIComponent(sameGtinLot[2]!) : lotFromEvents(await eventsFor(key));
      if (lot === null) return null;
      const region = catalog.regionOf(state.transit?.to ?? state.holder);
      return {
        key,
        gtin,
        serial,
        lot,
        status: statusOf(state.status),
        holderId: state.holder,
        lastShipmentRegion: region,
      };
    },
    lot: async (gtin, lot) => lotInfo(lotKey(gtin, lot)),
    async lotSerials(gtin, lot, limit) {
      return (await children(lotKey(gtin, lot)))
        .flatMap((k) => /\/21\/([^/]+)$/.exec(k)?.[1] ?? [])
        .map(decodeURIComponent)
        .slice(0, limit);
    },
    eventsFor,
    readings: async (deviceId, fromMs, toMs, limit): Promise<Reading[]> =>
      reader.deviceReadings.readings(deviceId, fromMs, toMs, limit).readings,
    children,
    parents,
    participant,
    async participants() {
      const ids = (q.participants.all() as { id: string }[]).map((r) => r.id);
      return (await Promise.all(ids.map(participant))).filter((p): p is Participant => p !== null);
    },
    async devices() {
      return (q.devices.all() as { device_id: string; gateway: string | null }[]).map((d) => ({
        deviceId: d.device_id,
        ownerId: (d.gateway && m.state.key(d.gateway)?.participantId) || '',
        gatewayKeyId: d.gateway,
        kind: catalog.deviceKind(d.device_id),
      }));
    },
    async lotsOf(id, limit) {
      const found = await Promise.all(
        (q.lotsOf.all(id, limit) as { key: string }[]).map((r) => lotInfo(r.key)),
      );
      return found.filter((l): l is LotInfo => l !== null);
    },
    async networkStatus() {
      const heads = reader.views.heads();
      const chains = Object.entries(heads).map(([chain, height]) => {
        const s = summary(chain, height);
        return { chain, height, headHash: s?.hash ?? '', lastCommitTime: s?.header.time ?? 0 };
      });
      const lastCommitTime = Math.max(0, ...chains.map((c) => c.lastCommitTime));
      const replicas = reader.node.replicaPublicKeys.map((_, replica) => ({
        replica,
        name: `replica-${replica}`,
        group: 0,
        view: 0,
        heights: heads,
        lastCommitTime,
      }));
      return { replicas, groupCount: 1, chains };
    },
    async blocks(chain, limit, beforeHeight) {
      const page = reader.views.blocks(chain, (beforeHeight ?? Number.MAX_SAFE_INTEGER - 1) + 1, limit);
      return page.items.flatMap((h) => summary(chain, h.height) ?? []);
    },
    async block(chain, height) {
      const s = summary(chain, height);
      if (!s) return null;
      const txs: { location: { chain: string; height: number; index: number }; tx: LedgerTx }[] = [];
      for (let index = 0; index < s.header.txCount; index++) {
        const tx = m.chains.tx(chain, height, index);
        if (tx && tx.kind !== 'rejection') txs.push({ location: { chain, height, index }, tx });
      }
      return { summary: s, txs };
    },
    async rejections(limit) {
      return reader.views.rejections(null, null, limit).items.map((r) => ({
        submitter: r.submitter,
        seq: r.seq,
        time: m.chains.batch(r.batchSeq)?.blockTime ?? 0,
        reason: r.reason,
      }));
    },
    async sequenceGaps(limit) {
      const rows = q.gaps.all(limit) as {
        device_id: string;
        after: number;
        next: number;
        chain: string;
        height: number;
        idx: number;
      }[];
      return rows.map((g) => ({
        deviceId: g.device_id,
        after: g.after,
        next: g.next,
        time: m.chains.block(g.chain, g.height)?.header.time ?? 0,
        location: { chain: g.chain, height: g.height, index: g.idx },
      }));
    },
    async lots(limit) {
      const found = await Promise.all((q.lots.all(limit) as { key: string }[]).map((r) => lotInfo(r.key)));
      return found.filter((l): l is LotInfo => l !== null);
    },
    async submit(request: SubmitRequest) {
      const s = request.submission;
      await reader.node.propose({ submitter: s.submitter, seq: s.seq, body: canonicalBytes(request) });
      const outcome = m.chains.submission(s.submitter, s.seq);
      if (!outcome) return { status: 'pending' };
      if (outcome.status === 'rejected')
        return { status: 'rejected', reason: outcome.reason ?? { code: 'unknown', message: '' } };
      return {
        status: 'committed',
        locations: outcome.txs.map((t) => ({ chain: t.chain, height: t.height, index: t.index })),
      };
    },
  };
}
