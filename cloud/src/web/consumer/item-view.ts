import { SOIL_MOISTURE_TYPE } from '@suyuan/shared';
import { type Excursion, findExcursions } from '../analysis/excursions.ts';
import { lotKey } from '../identity.ts';
import type { ItemInfo, ItemStatus, LotInfo, Participant, ProductInfo, ReadModel } from '../read-model.ts';
import type { ChartPoint } from './chart.tsx';
import { containerHistories, eventsWhileInside } from './containers.ts';
import { type JourneyStep, journeyOf, partyOfPlace, sensorWindows } from './journey.ts';

/** Everything the consumer page shows about one item (or one lot), gathered from the read model. */

export interface ItemView {
  item: ItemInfo | null;
  lot: LotInfo;
  product: ProductInfo;
  farm: Participant | null;
  holder: Participant | null;
  status: ItemStatus;
  steps: JourneyStep[];
  /** EPC URI of a place → the name of its party or plot. */
  placeNames: Map<string, string>;
  growing: { temperature: ChartPoint[]; moisture: ChartPoint[] };
  coldChain: ChartPoint[];
  excursions: Excursion[];
  /** Where each chart's series came from (lot and plot devices; sensor windows): a memo key. */
  seriesKeys: { growing: string; coldChain: string };
}

export const readingsPerChartMax = 5000;
/** How long after its last step we keep charting a cold room an item sits in. */
const storageWindowMsMax = 3 * 24 * 3_600_000;

const severity: Record<ItemStatus, number> = { active: 0, sold: 1, held: 2, recalled: 3 };

export function worstStatus(...statuses: ItemStatus[]): ItemStatus {
  return statuses.reduce((a, b) => (severity[b] > severity[a] ? b : a), 'active');
}

async function placeNames(
  model: ReadModel,
  steps: readonly JourneyStep[],
  lot: LotInfo,
): Promise<Map<string, string>> {
  const names = new Map<string, string>([[lot.plot.sgln, `${lot.plot.name.zh} ${lot.plot.name.en}`]]);
  for (const place of new Set(steps.map((s) => s.place))) {
    if (place === null || names.has(place)) continue;
    const party = partyOfPlace(place);
    const p = party ? await model.participant(party) : null;
    if (p) names.set(place, p.name);
  }
  return names;
}

async function growingSeries(model: ReadModel, lot: LotInfo, steps: readonly JourneyStep[]) {
  const planted = steps.find((s) => s.step === 'planting')?.time;
  const harvested = steps.find((s) => s.step === 'harvesting')?.time ?? lot.harvestedAt;
  const temperature: ChartPoint[] = [];
  const moisture: ChartPoint[] = [];
  if (planted === undefined || harvested === null) return { temperature, moisture };
  for (const deviceId of lot.plot.deviceIds) {
    for (const r of await model.readings(deviceId, planted, harvested, readingsPerChartMax)) {
      if (r.type === 'Temperature') temperature.push({ time: r.time, value: r.value });
      else if (r.type === SOIL_MOISTURE_TYPE) moisture.push({ time: r.time, value: r.value });
    }
  }
  return { temperature, moisture };
}

async function coldChainSeries(
  model: ReadModel,
  steps: readonly JourneyStep[],
  product: ProductInfo,
  nowMs: number,
) {
  const last = steps.at(-1)?.time ?? nowMs;
  const until = Math.min(nowMs, last + storageWindowMsMax);
  const points: ChartPoint[] = [];
  const readings = [];
  const windows = sensorWindows(steps, until);
  for (const w of windows) {
    const series = await model.readings(w.deviceId, w.from, w.to, readingsPerChartMax);
    for (const r of series) {
      if (r.type !== 'Temperature') continue;
      readings.push(r);
      points.push({ time: r.time, value: r.value });
    }
  }
  const key = windows.map((w) => `${w.deviceId}@${w.from}-${w.to}`).join(',');
  return { points, excursions: findExcursions(readings, product.coldChain), key };
}

/** Load the view of an item (`serial` given) or of a whole lot; null when unknown. */
export async function loadItemView(
  model: ReadModel,
  gtin: string,
  ids: { serial?: string; lot?: string },
  nowMs: number,
): Promise<ItemView | null> {
  const product = await model.product(gtin);
  if (!product) return null;
  const item = ids.serial === undefined ? null : await model.item(gtin, ids.serial);
  if (ids.serial !== undefined && !item) return null;
  const lotId = item?.lot ?? ids.lot;
  const lot = lotId === undefined ? null : await model.lot(gtin, lotId);
  if (!lot) return null;
  const histories = [await model.eventsFor(lotKey(gtin, lot.lot))];
  if (item) {
    const own = await model.eventsFor(item.key);
    histories.push(own);
    // Shipping and receiving are often recorded on the pallet the item rode on, not on the item.
    for (const { span, history } of await containerHistories(model, item.key, own))
      histories.push(eventsWhileInside(span, history));
  }
  // A lot's later use as an input (jam made from it) is not part of one item's story.
  const steps = journeyOf(histories).filter((s) => !item || s.step !== 'creating_class_instance');
  const cold = await coldChainSeries(model, steps, product, nowMs);
  return {
    item,
    lot,
    product,
    farm: await model.participant(lot.farmId),
    holder: item?.holderId ? await model.participant(item.holderId) : null,
    status: worstStatus(lot.status, item?.status ?? 'active'),
    steps,
    placeNames: await placeNames(model, steps, lot),
    growing: await growingSeries(model, lot, steps),
    coldChain: cold.points,
    excursions: cold.excursions,
    seriesKeys: { growing: `${lot.key}|${lot.plot.deviceIds.join(',')}`, coldChain: cold.key },
  };
}
