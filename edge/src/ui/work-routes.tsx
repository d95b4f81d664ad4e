import { preHarvestIntervalDaysMax } from '@suyuan/shared';
import type { Hono } from 'hono';
import { z } from 'zod';
import { fieldWorkEvent } from './farm-events.ts';
import { fill, formatDay, type Strings } from './i18n.ts';
import { Csrf, Notice, Page } from './layout.tsx';
import { queueEvents } from './queue-events.ts';
import { describeIssues, formFields, type UiContext, type UiCtx, type UiEnv } from './ui-env.ts';

/** GET/POST /work — planting, fertiliser, spraying (with its pre-harvest interval), irrigation. */
export const fieldWorkKinds = ['planting', 'fertilising', 'spraying', 'irrigating'] as const;
const optionalText = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.string().trim().min(1).max(200).optional(),
);
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (v === '' || v === undefined ? undefined : Number(v)), schema.optional());

export const workForm = z
  .object({
    plotId: z.coerce.number().int().positive(),
    kind: z.enum(fieldWorkKinds),
    product: optionalText,
    amount: optionalNumber(z.number().positive().max(1_000_000)),
    unit: z.enum(['KGM', 'LTR', 'MTQ', 'H87']).default('KGM'),
    phiDays: optionalNumber(z.number().int().min(0).max(preHarvestIntervalDaysMax)),
  })
  .superRefine((w, ctx) => {
    if (w.kind === 'spraying' && w.phiDays === undefined) {
      ctx.addIssue({ code: 'invalid_type', expected: 'number', path: ['phiDays'], message: 'required' });
    }
    if (w.kind === 'spraying' && w.product === undefined) {
      ctx.addIssue({ code: 'invalid_type', expected: 'string', path: ['product'], message: 'required' });
    }
  });

const labelsOf = (t: Strings) => ({
  plotId: t.plot,
  kind: t.kind,
  product: t.product,
  amount: t.amount,
  unit: t.unit,
  phiDays: t.phiDays,
});

export function workRoutes(app: Hono<UiEnv>, ui: UiContext): void {
  app.get('/work', (c) => {
    const seq = Number(c.req.query('saved'));
    const ok = Number.isInteger(seq) && seq >= 0 ? fill(c.var.t.saved, { seq }) : undefined;
    return c.html(<WorkPage c={c} ui={ui} ok={ok} />);
  });
  app.post('/work', async (c) => {
    const t = c.var.t;
    const parsed = workForm.safeParse(await formFields(c));
    if (!parsed.success) {
      const error = fill(t.invalid, { detail: describeIssues(parsed.error, t, labelsOf(t)) });
      return c.html(<WorkPage c={c} ui={ui} error={error} />, 400);
    }
    const w = parsed.data;
    const plot = ui.store.plot(w.plotId);
    if (plot === undefined) {
      const error = fill(t.invalid, { detail: `${t.plot}: ${t.notFound}` });
      return c.html(<WorkPage c={c} ui={ui} error={error} />, 400);
    }
    const { clock, config } = ui.deps;
    const timeMs = clock.now();
    const event = fieldWorkEvent(config, {
      kind: w.kind,
      plotCode: plot.code,
      timeMs,
      product: w.product,
      amount: w.amount,
      amountUom: w.unit,
      preHarvestIntervalDays: w.kind === 'spraying' ? w.phiDays : undefined,
    });
    const seq = queueEvents(ui.deps, [event], (queued) => {
      ui.store.addFieldWork(
        {
          plotId: plot.id,
          kind: w.kind,
          timeMs,
          product: w.product ?? null,
          amount: w.amount ?? null,
          phiDays: w.kind === 'spraying' ? (w.phiDays ?? null) : null,
        },
        queued,
      );
      return queued;
    });
    return c.redirect(`/work?saved=${seq}`, 303);
  });
}

function WorkPage(props: { c: UiCtx; ui: UiContext; error?: string; ok?: string | undefined }) {
  const { lang, t, csrf } = props.c.var;
  const plots = props.ui.store.plots();
  const recent = props.ui.store.recentFieldWork();
  return (
    <Page lang={lang} t={t} title={t.work} path="/work">
      {props.error !== undefined && <Notice kind="bad">{props.error}</Notice>}
      {props.ok !== undefined && <Notice kind="good">{props.ok}</Notice>}
      {plots.length === 0 && <p class="muted">{t.noPlots}</p>}
      <form method="post" action="/work" class="card">
        <Csrf token={csrf} />
        <label for="plotId">{t.plot}</label>
        <select id="plotId" name="plotId" required>
          {plots.map((p) => (
            <option value={String(p.id)}>{`${p.code} · ${p.name}`}</option>
          ))}
        </select>
        <label for="kind">{t.kind}</label>
        <select id="kind" name="kind">
          {fieldWorkKinds.map((k) => (
            <option value={k}>{t[k]}</option>
          ))}
        </select>
        <label for="product">{t.product}</label>
        <input id="product" name="product" maxlength={200} />
        <label for="amount">{t.amount}</label>
        <input id="amount" name="amount" inputmode="decimal" />
        <label for="unit">{t.unit}</label>
        <select id="unit" name="unit">
          <option value="KGM">kg</option>
          <option value="LTR">L</option>
          <option value="MTQ">m³</option>
          <option value="H87">pcs</option>
        </select>
        <label for="phiDays">{t.phiDays}</label>
        <input id="phiDays" name="phiDays" inputmode="numeric" aria-describedby="phiHint" />
        <p id="phiHint" class="hint">
          {t.phiHint}
        </p>
        <button type="submit">{t.record}</button>
      </form>
      <h2>{t.recent}</h2>
      <table class="card">
        <tbody>
          {recent.map((w) => (
            <tr>
              <td>{formatDay(w.timeMs)}</td>
              <td>{w.plotCode}</td>
              <td>
                {t[w.kind]}
                {w.phiDays !== null && ` · ${w.phiDays} d`}
              </td>
              <td>{w.product ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
