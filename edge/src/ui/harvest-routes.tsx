import { preHarvestIntervalDaysMax } from '@suyuan/shared';
import type { Hono } from 'hono';
import { z } from 'zod';
import { harvestEvents, itemDigitalLink } from './farm-events.ts';
import { fill, formatDay, type Strings } from './i18n.ts';
import { labelSheetSvg, labelsPerSheetMax } from './label-sheet.ts';
import { Csrf, Notice, Page } from './layout.tsx';
import { checkPreHarvestInterval, dayMs } from './pre-harvest.ts';
import { queueEvents } from './queue-events.ts';
import { describeIssues, formFields, type UiContext, type UiCtx, type UiEnv } from './ui-env.ts';

/**
 * GET/POST /harvest — refused inside the pre-harvest interval of the plot's last spraying; otherwise
 * one signed submission: the harvest (lot) and the commissioning of its items with the bound tags.
 * GET /lots/:id/labels(.svg) — the QR label sheet.
 */
const tagList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.string().regex(/^[0-9A-F]{8,64}$/)).max(labelsPerSheetMax),
);

export const harvestForm = z.object({
  plotId: z.coerce.number().int().positive(),
  lotCode: z.string().regex(/^[A-Za-z0-9-]{1,20}$/),
  quantityKg: z.coerce.number().positive().max(10_000_000),
  itemCount: z.coerce.number().int().min(0).max(labelsPerSheetMax),
  tags: tagList,
});

const labelsOf = (t: Strings) => ({
  plotId: t.plot,
  lotCode: t.lotCode,
  quantityKg: t.quantityKg,
  itemCount: t.itemCount,
  tags: t.tagsSeen,
});

export function harvestRoutes(app: Hono<UiEnv>, ui: UiContext): void {
  app.get('/harvest', (c) => c.html(<HarvestPage c={c} ui={ui} />));
  app.post('/harvest', async (c) => {
    const t = c.var.t;
    const bad = (error: string, status: 400 | 409 | 422) =>
      c.html(<HarvestPage c={c} ui={ui} error={error} />, status);
    const parsed = harvestForm.safeParse(await formFields(c));
    if (!parsed.success)
      return bad(fill(t.invalid, { detail: describeIssues(parsed.error, t, labelsOf(t)) }), 400);
    const h = parsed.data;
    const plot = ui.store.plot(h.plotId);
    if (plot === undefined) return bad(fill(t.invalid, { detail: `${t.plot}: ${t.notFound}` }), 400);
    const { clock, config, recentTags } = ui.deps;
    const now = clock.now();
    const phi = checkPreHarvestInterval(
      ui.store.sprayings(plot.id, now - preHarvestIntervalDaysMax * dayMs),
      now,
    );
    if (!phi.allowed) {
      const message = fill(t.phiRefused, {
        plot: plot.code,
        product: phi.lastSpraying.productName,
        date: formatDay(phi.lastSpraying.timeMs),
        days: phi.lastSpraying.preHarvestIntervalDays,
        until: formatDay(phi.allowedFromMs),
        left: phi.daysLeft,
      });
      return bad(message, 422);
    }
    if (ui.store.lotByCode(h.lotCode) !== undefined) return bad(fill(t.duplicate, { what: h.lotCode }), 409);
    const tags = [...new Set(h.tags)];
    const unseen = tags.find((epc) => !recentTags.has(epc));
    if (unseen !== undefined) return bad(fill(t.invalid, { detail: `${t.tagsSeen}: ${unseen}` }), 400);
    const bound = ui.store.boundTags(tags)[0];
    if (bound !== undefined) return bad(fill(t.tagBound, { tag: bound }), 409);
    const count = Math.max(h.itemCount, tags.length);
    const first = ui.store.nextSerial();
    const serials = Array.from({ length: count }, (_, i) => first + i);
    const tagBySerial = new Map(tags.map((epc, i) => [first + i, epc] as const));
    const events = harvestEvents(config, {
      plotCode: plot.code,
      lotCode: h.lotCode,
      quantityKg: h.quantityKg,
      timeMs: now,
      serials,
      tags: tagBySerial,
    });
    const lotId = queueEvents(ui.deps, events, (seq) => {
      const id = ui.store.addLot(
        { code: h.lotCode, plotId: plot.id, quantityKg: h.quantityKg, harvestedMs: now },
        seq,
      );
      ui.store.addItems(
        serials.map((serial) => ({ serial, lotId: id, tagEpc: tagBySerial.get(serial) ?? null })),
      );
      return id;
    });
    return c.redirect(`/lots/${lotId}/labels`, 303);
  });
  app.get('/lots/:id/labels.svg', (c) => {
    const lot = ui.store.lot(Number(c.req.param('id')));
    if (lot === undefined) return c.notFound();
    const labels = ui.store.items(lot.id).map((item) => ({
      link: itemDigitalLink(ui.deps.config, item.serial),
      caption: `${lot.code} #${item.serial}`,
    }));
    c.header('content-type', 'image/svg+xml; charset=utf-8');
    return c.body(labelSheetSvg(labels, `${lot.code} · ${formatDay(lot.harvestedMs)}`));
  });
  app.get('/lots/:id/labels', (c) => {
    const { lang, t } = c.var;
    const lot = ui.store.lot(Number(c.req.param('id')));
    if (lot === undefined) return c.notFound();
    const items = ui.store.items(lot.id);
    return c.html(
      <Page lang={lang} t={t} title={`${t.labels} · ${lot.code}`} path={c.req.path}>
        <Notice kind="good">{`${lot.code}: ${lot.quantityKg} kg · ${items.length} ${t.items}`}</Notice>
        <p class="hint">{t.printHint}</p>
        <img class="sheet" src={`/lots/${lot.id}/labels.svg`} alt={`${t.labels} ${lot.code}`} />
      </Page>,
    );
  });
}

function HarvestPage(props: { c: UiCtx; ui: UiContext; error?: string }) {
  const { lang, t, csrf } = props.c.var;
  const plots = props.ui.store.plots();
  const seen = props.ui.deps.recentTags.recent(props.ui.deps.clock.now());
  const bound = new Set(props.ui.store.boundTags(seen.map((tag) => tag.epc)));
  const tags = seen.filter((tag) => !bound.has(tag.epc));
  return (
    <Page lang={lang} t={t} title={t.harvest} path="/harvest">
      {props.error !== undefined && <Notice kind="bad">{props.error}</Notice>}
      {plots.length === 0 && <p class="muted">{t.noPlots}</p>}
      <form method="post" action="/harvest" class="card">
        <Csrf token={csrf} />
        <label for="plotId">{t.plot}</label>
        <select id="plotId" name="plotId" required>
          {plots.map((p) => (
            <option value={String(p.id)}>{`${p.code} · ${p.name} · ${p.crop}`}</option>
          ))}
        </select>
        <label for="lotCode">{t.lotCode}</label>
        <input id="lotCode" name="lotCode" required maxlength={20} pattern="[A-Za-z0-9\-]{1,20}" />
        <label for="quantityKg">{t.quantityKg}</label>
        <input id="quantityKg" name="quantityKg" inputmode="decimal" required />
        <label for="itemCount">{t.itemCount}</label>
        <input id="itemCount" name="itemCount" inputmode="numeric" value="0" required />
        <fieldset style="border:0;padding:0;margin:12px 0 0">
          <legend style="font-weight:600">{t.tagsSeen}</legend>
          {tags.length === 0 && <p class="muted">{t.noTags}</p>}
          {tags.map((tag) => (
            <label class="check">
              <input type="checkbox" name="tags" value={tag.epc} checked />
              {tag.epc}
            </label>
          ))}
        </fieldset>
        <button type="submit">{t.doHarvest}</button>
      </form>
    </Page>
  );
}
