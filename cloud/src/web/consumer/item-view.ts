import { SOIL_MOISTURE_TYPE } from '@suyuan/shared';
import { type Excursion, findExcursions } from '../analysis/excursions.ts';
import { lotKey } from '../identity.ts';
import type {
  ItemInfo,
  ItemStatus,
  LedgerEvent,
  LotInfo,
  Participant,
  ProductInfo,
  ReadModel,
} from '../read-model.ts';
import type { ChartPoint } from './chart.tsx';
import { type ContainerSpan, containerSpans, eventsWhileInside } from './containers.ts';
import { type JourneyStep, journeyOf, partyOfPlace, sensorWindows } from './journey.ts';
import type { StampMemo } from './stamp-memo.ts';

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
  /**
   * Names everything the journey and conditions sections are made of (lot, the item's own events,
   * its pallet spans, the cold-chain end): views with the same key show the same sections.
   */
  storyKey: string;
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

/** Until when the cold chain is charted: the last step plus the storage window, not past now. */
function coldChainUntil(steps: readonly JourneyStep[], nowMs: number): number {
  const last = steps.at(-1)?.time ?? nowMs;
  return Math.min(nowMs, last + storageWindowMsMax);
}

async function coldChainSeries(
  model: ReadModel,
  steps: readonly JourneyStep[],
  product: ProductInfo,
  until: number,
) {
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

/** The journey and growing conditions: what items with the same lot, own events and pallet spans share. */
async function loadStory(
  model: ReadModel,
  lotHistoryKey: string,
  lot: LotInfo,
  item: ItemInfo | null,
  own: readonly LedgerEvent[],
  spans: readonly ContainerSpan[],
) {
  const histories: (readonly LedgerEvent[])[] = [await model.eventsFor(lotHistoryKey)];
  if (item) {
    histories.push(own);
    // Shipping and receiving are often recorded on the pallet the item rode on, not on the item.
    for (const span of spans) histories.push(eventsWhileInside(span, await model.eventsFor(span.key)));
  }
  // A lot's later use as an input (jam made from it) is not part of one item's story.
  const steps = journeyOf(histories).filter((s) => !item || s.step !== 'creating_class_instance');
  return {
    farm: await model.participant(lot.farmId),
    steps,
    placeNames: await placeNames(model, steps, lot),
    growing: await growingSeries(model, lot, steps),
  };
}

const remember = <T>(memo: StampMemo | undefined, key: string, make: () => Promise<T>): Promise<T> =>
  memo ? memo.get(key, make) : make();

/**
 * Load the view of an item (`serial` given) or of a whole lot; null when unknown. With `memo`, the
 * parts items share (journey, places, charts' series) are made once per lot, own-event list and
 * pallet spans (`storyKey`) while the change stamp holds: the 50 items of a lot usually share all.
 */
export async function loadItemView(
  model: ReadModel,
  gtin: string,
  ids: { serial?: string; lot?: string },
  nowMs: number,
  memo?: StampMemo,
): Promise<ItemView | null> {
  const product = await model.product(gtin);
  if (!product) return null;
  const item = ids.serial === undefined ? null : await model.item(gtin, ids.serial);
  if (ids.serial !== undefined && !item) return null;
  const lotId = item?.lot ?? ids.lot;
  const lot = lotId === undefined ? null : await model.lot(gtin, lotId);
  if (!lot) return null;
  const own = item ? await model.eventsFor(item.key) : [];
  const spans = item ? containerSpans(item.key, own) : [];
  const lotHistoryKey = lotKey(gtin, lot.lot);
  const sharedKey = [
    lotHistoryKey,
    item ? 'item' : 'lot',
    own.map(({ proof: { location: l } }) => `${l.chain}/${l.height}/${l.index}`).join(','),
    spans.map((s) => `${s.key}@${s.fromMs}-${s.toMs}`).join(','),
  ].join('|');
  const story = await remember(memo, `story|${sharedKey}`, () =>
    loadStory(model, lotHistoryKey, lot, item, own, spans),
  );
  const until = coldChainUntil(story.steps, nowMs);
  const cold = await remember(memo, `cold|${sharedKey}|${until}`, () =>
    coldChainSeries(model, story.steps, product, until),
  );
  return {
    item,
    lot,
    product,
    farm: story.farm,
    holder: item?.holderId ? await model.participant(item.holderId) : null,
    status: worstStatus(lot.status, item?.status ?? 'active'),
    steps: story.steps,
    placeNames: story.placeNames,
    growing: story.growing,
    coldChain: cold.points,
    excursions: cold.excursions,
    seriesKeys: { growing: `${lot.key}|${lot.plot.deviceIds.join(',')}`, coldChain: cold.key },
    storyKey: `${sharedKey}|${until}`,
  };
}
