import { isSuyuanError } from '@suyuan/shared';
import type { Hono } from 'hono';
import {
  type Alert,
  cloneAlerts,
  excursionAlerts,
  gapAlerts,
  phiViolations,
  rejectionAlerts,
  sortAlerts,
} from '../analysis/alerts.ts';
import { findExcursions } from '../analysis/excursions.ts';
import { keyLabel, traceGraph } from '../analysis/trace-graph.ts';
import { journeyOf, partyOfPlace, sensorWindows } from '../consumer/journey.ts';
import { identityKeyOf } from '../event-fields.ts';
import { epcisExport } from '../exports/epcis-export.ts';
import { fsmaCsv } from '../exports/fsma204.ts';
import { fill } from '../i18n.ts';
import type { LotInfo, ReadModel } from '../read-model.ts';
import type { WebDeps } from '../web-deps.ts';
import type { DashEnv } from './auth-routes.tsx';
import { DashPage, formatTime } from './dash-layout.tsx';
import { eventsOfKeys, itemOfKey, lotOfKey, spraysOf } from './queries.ts';
import { search } from './search.ts';

/** Alerts (computed from the ledger and scan counts) and the two exports (EPCIS 2.0, FSMA 204). */

export const alertLotsScannedMax = 20_000;
export const alertsShownMax = 500;
/** Alerts are recomputed at most this often; a dashboard refresh must not rescan the ledger. */
export const alertsCacheMs = 30_000;

async function lotAlerts(model: ReadModel, lot: LotInfo, untilMs: number): Promise<Alert[]> {
  const history = await model.eventsFor(lot.key);
  const product = await model.product(lot.gtin);
  const events = await eventsOfKeys(model, [lot.key]);
  const alerts = phiViolations(lot.key, spraysOf(events), lot.harvestedAt);
  if (!product) return alerts;
  // The cold chain is watched on the lot's items; one item's journey stands for the lot.
  const firstItem = (await model.children(lot.key)).find((k) => k.includes('/21/'));
  const steps = journeyOf([history, firstItem ? await model.eventsFor(firstItem) : []]);
  const readings = [];
  for (const w of sensorWindows(steps, Math.min(untilMs, (steps.at(-1)?.time ?? untilMs) + 3 * 86_400_000))) {
    readings.push(...(await model.readings(w.deviceId, w.from, w.to, 5_000)));
  }
  return [
    ...alerts,
    ...excursionAlerts(lot.key, findExcursions(readings, product.coldChain), product.coldChain),
  ];
}

export function alertsAndExports(app: Hono<DashEnv>, deps: WebDeps): void {
  const model = deps.model;
  let cache: { at: number; alerts: Alert[] } | null = null;

  async function allAlerts(): Promise<Alert[]> {
    const now = deps.clock.now();
    const fresh = cache && now - cache.at < alertsCacheMs;
    let ledgerAlerts = fresh ? cache!.alerts : null;
    if (!ledgerAlerts) {
      ledgerAlerts = [];
      for (const lot of await model.lots(alertLotsScannedMax))
        ledgerAlerts.push(...(await lotAlerts(model, lot, now)));
      ledgerAlerts.push(...rejectionAlerts(await model.rejections(alertsShownMax)));
      ledgerAlerts.push(...gapAlerts(await model.sequenceGaps(alertsShownMax)));
      cache = { at: now, alerts: ledgerAlerts };
    }
    // Clone suspicion changes with every scan, so it is never cached.
    const clones = cloneAlerts(
      deps.scans.suspected().map((s) => ({
        key: s.key,
        firstFlaggedAt: s.firstFlaggedAt,
        reasons: s.assessment.reasons,
        count: s.stats.count,
        foreignScans: s.assessment.foreignScans,
        shippedTo: s.lastShipmentRegion,
      })),
    );
    return sortAlerts([...clones, ...ledgerAlerts]).slice(0, alertsShownMax);
  }

  app.get('/regulator/alerts', async (c) => {
    const alerts = await allAlerts();
    const kind = c.req.query('kind');
    const shown = kind ? alerts.filter((a) => a.kind === kind) : alerts;
    const text = c.get('text');
    const { t } = text;
    return c.html(
      <DashPage session={c.get('session')} text={text} title={t.tabs.alerts} tab="alerts">
        <p>
          {fill(t.alerts.count, { n: shown.length })} <a href="/regulator/alerts.json">JSON</a>
        </p>
        <div class="scroll">
          <table id="alerts">
            <thead>
              <tr>
                <th>{t.alerts.kind}</th>
                <th>{t.alerts.time}</th>
                <th>{t.alerts.subject}</th>
                <th>{t.alerts.what}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => (
                <tr data-kind={a.kind}>
                  <td class={a.severity === 'high' ? 'bad' : undefined}>{t.alerts.kinds[a.kind]}</td>
                  <td>{formatTime(a.time)}</td>
                  <td>
                    {a.subject.startsWith('https://') ? (
                      <a href={`/regulator/trace?key=${encodeURIComponent(a.subject)}`}>
                        {keyLabel(a.subject, t.keyKinds)}
                      </a>
                    ) : (
                      <code>{a.subject}</code>
                    )}
                  </td>
                  <td>{fill(t.alerts.messages[a.kind], a.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </DashPage>,
    );
  });

  app.get('/regulator/alerts.json', async (c) => c.json({ alerts: await allAlerts() }));

  /** The keys an export covers: the identity and its whole backward and forward trace. */
  async function exportKeys(raw: string | undefined): Promise<string[] | null> {
    const key = (await search(model, raw ?? '')).keys[0];
    if (!key || (!(await itemOfKey(model, key)) && !(await lotOfKey(model, key)))) return null;
    const graph = await traceGraph(
      key,
      (k) => model.parents(k),
      (k) => model.children(k),
    );
    return graph.nodes.map((n) => n.key);
  }

  app.get('/regulator/export/epcis', async (c) => {
    const keys = await exportKeys(c.req.query('key'));
    if (!keys)
      return c.json(
        { error: { code: 'export.unknownKey', message: 'key must name a known item or lot' } },
        404,
      );
    const events = await eventsOfKeys(model, keys);
    try {
      const doc = epcisExport(events, deps.clock, deps.publicBase);
      c.header('Content-Disposition', 'attachment; filename="suyuan-epcis.jsonld"');
      return c.body(JSON.stringify(doc), 200, { 'Content-Type': 'application/ld+json' });
    } catch (error) {
      if (!isSuyuanError(error)) throw error;
      return c.json({ error: { code: error.code, message: error.message } }, 500);
    }
  });

  app.get('/regulator/export/fsma204.csv', async (c) => {
    const keys = await exportKeys(c.req.query('key'));
    if (!keys)
      return c.json(
        { error: { code: 'export.unknownKey', message: 'key must name a known item or lot' } },
        404,
      );
    const events = await eventsOfKeys(model, keys);
    const products = new Map((await model.products()).map((p) => [p.gtin, p]));
    const names = new Map((await model.participants()).map((p) => [p.id, p.name]));
    const lotsByKey = new Map<string, { lotCode: string; product: string; source: string }>();
    for (const key of keys) {
      const lot =
        (await lotOfKey(model, key)) ??
        (await itemOfKey(model, key).then((i) => (i ? model.lot(i.gtin, i.lot) : null)));
      if (!lot) continue;
      const entry = {
        lotCode: `${lot.gtin}-${lot.lot}`,
        product: products.get(lot.gtin)?.name.en ?? lot.gtin,
        source: names.get(lot.farmId) ?? lot.farmId,
      };
      lotsByKey.set(key, entry);
    }
    const csv = fsmaCsv(
      events.map((e) => ({ event: e.event, ref: e.ref })),
      {
        lotOf: (epc) => {
          const key = identityKeyOf(epc);
          return key === null ? null : (lotsByKey.get(key) ?? null);
        },
        placeName: (epc) => {
          if (epc === null) return '';
          const party = epc.startsWith('urn:epc:id:sgln:') ? partyOfPlace(epc) : epc;
          return `${(party && names.get(party)) ?? ''} ${epc}`.trim();
        },
      },
    );
    c.header('Content-Disposition', 'attachment; filename="fsma204-sortable.csv"');
    return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });
}
