import type { CloudClient } from './cloud-client.ts';
import { demoEvents, demoGtin, itemLink, lotLink, ssccLink } from './events.ts';
import type { Party, PartyName } from './parties.ts';

/**
 * The farm-to-fork scenario: one lot per round — harvest, planting record, commission items, pack
 * them on a pallet with the truck logger, ship, receive, unpack, sell one item — each event signed
 * by the participant whose role allows it and submitted to the replicas. One event per
 * `intervalMs` at most, so the rate is bounded however long the demo runs.
 */
export const itemsPerLot = 3;
export const growingWindowMs = 15 * 60_000;

export interface RoundItem {
  gtin: string;
  serial: string;
  lot: string;
}

export interface ScenarioHooks {
  /** Called after each committed event (progress, counters). */
  onEvent(step: string, lotCode: string): void;
  /** Called once the round's item is sold (the demo item is the first round's). */
  onRound(item: RoundItem, round: number): void;
}

/** While goods travel, the truck logger keeps reporting: the transit lasts a few device intervals. */
export const transitMsMin = 8000;

export function pause(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      abort.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    abort.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runRound(
  client: CloudClient,
  parties: Record<PartyName, Party>,
  loggerId: string,
  intervalMs: number,
  abort: AbortSignal,
  hooks: ScenarioHooks,
): Promise<RoundItem | null> {
  const started = Date.now();
  const lotCode = `L${started.toString(36).toUpperCase()}`;
  const lot = lotLink(demoGtin, lotCode);
  const serials = Array.from({ length: itemsPerLot }, (_, i) => `${lotCode}-${i + 1}`);
  const items = serials.map((s) => itemLink(demoGtin, s));
  const pallet = ssccLink(started);
  const { 'lotus-coop': farm, 'swift-cold': carrier, 'fresh-market': shop } = parties;
  const steps: [string, Party, () => ReturnType<(typeof demoEvents)['harvest']>][] = [
    ['harvest', farm, () => demoEvents.harvest(Date.now(), lot, 120)],
    ['planting record', farm, () => demoEvents.planting(started - growingWindowMs, lot)],
    ['commission', farm, () => demoEvents.commission(Date.now(), items, lotCode)],
    ['pack', farm, () => demoEvents.pack(Date.now(), pallet, items, loggerId)],
    ['ship', carrier, () => demoEvents.ship(Date.now(), [pallet], shop.id)],
    ['receive', shop, () => demoEvents.receive(Date.now(), [pallet])],
    ['unpack', shop, () => demoEvents.unpack(Date.now(), pallet, items)],
    ['sell', shop, () => demoEvents.sell(Date.now(), [items[0]!])],
  ];
  for (const [i, [step, party, build]] of steps.entries()) {
    if (abort.aborted) return null;
    if (i > 0) await pause(step === 'receive' ? Math.max(transitMsMin, intervalMs) : intervalMs, abort);
    if (abort.aborted) return null;
    await client.commit(party, [build()], `${step} of lot ${lotCode}`);
    hooks.onEvent(step, lotCode);
  }
  return { gtin: demoGtin, serial: serials[0]!, lot: lotCode };
}

/** Rounds until aborted; a failed round is reported and the next one starts after a pause. */
export async function runScenario(
  client: CloudClient,
  parties: Record<PartyName, Party>,
  loggerId: string,
  intervalMs: number,
  abort: AbortSignal,
  hooks: ScenarioHooks & { onError(error: Error): void },
): Promise<void> {
  for (let round = 1; !abort.aborted; round++) {
    try {
      const item = await runRound(client, parties, loggerId, intervalMs, abort, hooks);
      if (item) hooks.onRound(item, round);
    } catch (error) {
      if (abort.aborted) return;
      hooks.onError(error as Error);
    }
    await pause(intervalMs, abort);
  }
}
