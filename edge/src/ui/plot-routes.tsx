import type { Hono } from 'hono';
import { z } from 'zod';
import { fill, formatDay } from './i18n.ts';
import { Csrf, Notice, Page } from './layout.tsx';
import { describeIssues, formFields, type UiContext, type UiCtx, type UiEnv } from './ui-env.ts';

/** GET/POST /plots — the farm's plots (codes become SGLN extensions) and the lots harvested from them. */
export const plotCodeSchema = z.string().regex(/^[A-Za-z0-9-]{1,20}$/);

const plotForm = z.object({
  code: plotCodeSchema,
  name: z.string().trim().min(1).max(100),
  areaHa: z.coerce.number().positive().max(100_000),
  crop: z.string().trim().min(1).max(100),
});

export function plotRoutes(app: Hono<UiEnv>, ui: UiContext): void {
  app.get('/plots', (c) => c.html(<PlotsPage c={c} ui={ui} />));
  app.post('/plots', async (c) => {
    const t = c.var.t;
    const parsed = plotForm.safeParse(await formFields(c));
    if (!parsed.success) {
      const labels = { code: t.code, name: t.name, areaHa: t.areaHa, crop: t.crop };
      const error = fill(t.invalid, { detail: describeIssues(parsed.error, t, labels) });
      return c.html(<PlotsPage c={c} ui={ui} error={error} />, 400);
    }
    if (ui.store.plotByCode(parsed.data.code) !== undefined) {
      const error = fill(t.duplicate, { what: `${t.plot} ${parsed.data.code}` });
      return c.html(<PlotsPage c={c} ui={ui} error={error} />, 409);
    }
    ui.store.addPlot(parsed.data, ui.deps.clock.now());
    return c.redirect('/plots', 303);
  });
}

function PlotsPage(props: { c: UiCtx; ui: UiContext; error?: string }) {
  const { lang, t, csrf } = props.c.var;
  const plots = props.ui.store.plots();
  const lots = props.ui.store.lots();
  return (
    <Page lang={lang} t={t} title={t.plots} path="/plots">
      {props.error !== undefined && <Notice kind="bad">{props.error}</Notice>}
      {plots.length === 0 && <p class="muted">{t.noPlots}</p>}
      {plots.length > 0 && (
        <table class="card">
          <thead>
            <tr>
              <th>{t.code}</th>
              <th>{t.name}</th>
              <th>{t.crop}</th>
              <th>{t.areaHa}</th>
            </tr>
          </thead>
          <tbody>
            {plots.map((p) => (
              <tr>
                <td>{p.code}</td>
                <td>{p.name}</td>
                <td>{p.crop}</td>
                <td>{p.areaHa}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t.lots}</h2>
      {lots.map((l) => (
        <p class="card">
          <strong>{l.code}</strong> · {t.plot} {l.plotCode} · {formatDay(l.harvestedMs)} · {l.quantityKg} kg ·{' '}
          {l.items} {t.items} · <a href={`/lots/${l.id}/labels`}>{t.labels}</a>
        </p>
      ))}
      <h2>{t.addPlot}</h2>
      <form method="post" action="/plots" class="card">
        <Csrf token={csrf} />
        <label for="code">{t.code}</label>
        <input id="code" name="code" required maxlength={20} pattern="[A-Za-z0-9\-]{1,20}" />
        <label for="name">{t.name}</label>
        <input id="name" name="name" required maxlength={100} />
        <label for="crop">{t.crop}</label>
        <input id="crop" name="crop" required maxlength={100} />
        <label for="areaHa">{t.areaHa}</label>
        <input id="areaHa" name="areaHa" inputmode="decimal" required />
        <button type="submit">{t.save}</button>
      </form>
    </Page>
  );
}
