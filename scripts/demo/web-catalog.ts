import type { LedgerMachine } from '../../cloud/src/ledger/ledger-machine.ts';
import type { WebCatalog } from '../../cloud/src/web/ledger-adapter.ts';
import type { ProductInfo } from '../../cloud/src/web/read-model.ts';
import type { Reading } from '../../shared/src/index.ts';
import { demoGtin } from './events.ts';
import { partyId } from './parties.ts';

/**
 * What the pages need that a ledger does not hold, for the demo network: the product and its cold
 * chain band, the field every demo lot grows on and its devices, coarse regions, device kinds. And,
 * until the ledger has a device → readings index, readings found by scanning recent telemetry blocks.
 */
export const demoProduct: ProductInfo = {
  gtin: demoGtin,
  name: { zh: '樱桃番茄', en: 'Cherry tomatoes' },
  companyPrefixLength: 7,
  coldChain: { minC: 2, maxC: 8, excursionMinutesMax: 30 },
};

export function demoCatalog(plotDeviceIds: string[]): WebCatalog {
  const regions: Record<string, string> = {
    [partyId('lotus-coop')]: 'CN-YN',
    [partyId('hills-processing')]: 'CN-YN',
    [partyId('swift-cold')]: 'CN-YN',
    [partyId('fresh-market')]: 'CN-YN',
  };
  return {
    products: [demoProduct],
    lotOrigin: () => ({
      farmId: partyId('lotus-coop'),
      plot: {
        sgln: 'urn:epc:id:sgln:0690123.00001.1',
        name: { zh: '莲谷一号田', en: 'Lotus Valley field 1' },
        region: 'CN-YN',
        deviceIds: plotDeviceIds,
      },
    }),
    regionOf: (id) => regions[id] ?? null,
    deviceKind: (id) => (id.includes('logger') ? 'logger' : 'soil'),
  };
}

/** Telemetry blocks scanned per readings query (newest first): bounds the cost of the stopgap. */
export const telemetryBlocksScannedMax = 2000;
/** How much later than a reading its batch may be sealed (gateway batching and upload). */
const sealDelayMsMax = 5 * 60_000;

export function telemetryReadings(db: LedgerMachine['db']) {
  const stmt = db.prepare(
    `SELECT t.tx AS tx FROM blocks b JOIN txs t ON t.chain = b.chain AND t.height = b.height
     WHERE b.chain = 'telemetry' AND json_extract(b.header, '$.time') BETWEEN ? AND ?
       AND t.tx LIKE ? ORDER BY b.height DESC LIMIT ?`,
  );
  return (deviceId: string, fromMs: number, toMs: number, limit: number): Reading[] => {
    const rows = stmt.all(
      fromMs,
      toMs + sealDelayMsMax,
      `%"deviceId":"${deviceId}"%`,
      telemetryBlocksScannedMax,
    ) as {
      tx: string;
    }[];
    const out: Reading[] = [];
    for (const { tx } of rows) {
      const parsed = JSON.parse(tx) as { kind: string; payloads?: { reading: Reading }[] };
      for (const p of parsed.payloads ?? []) {
        const r = p.reading;
        if (r.deviceId === deviceId && r.time >= fromMs && r.time <= toMs) out.push(r);
      }
    }
    out.sort((a, b) => a.time - b.time);
    return out.slice(-limit);
  };
}
