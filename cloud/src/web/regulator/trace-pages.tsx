import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { keyLabel, traceGraph } from '../analysis/trace-graph.ts';
import { toCsv } from '../exports/csv.ts';
import { fill, localName } from '../i18n.ts';
import { lgtinEpc, resolverPath, sgtinEpc } from '../identity.ts';
import type { LotInfo, ReadModel } from '../read-model.ts';
import type { WebDeps } from '../web-deps.ts';
import type { Auth, DashEnv } from './auth-routes.tsx';
import { formBytesMax } from './auth-routes.tsx';
import type { DashStrings } from './dash-i18n.ts';
import { DashPage } from './dash-layout.tsx';
import { TraceSvg } from './graph-svg.tsx';
import { holdEvents, reasonCharsMax, signedSubmission } from './hold-submission.ts';
import { affectedBy, lotKeyOf, lotOfKey } from './queries.ts';
import { queryCharsMax, search } from './search.ts';

/** Search, backward/forward trace, and recall (affected items and holders, hold, CSV). */

export const affectedRowsShownMax = 500;

function traceLink(key: string, t: DashStrings) {
  return <a href={`/regulator/trace?key=${encodeURIComponent(key)}`}>{keyLabel(key, t.keyKinds)}</a>;
}

async function participantName(model: ReadModel, id: string): Promise<string> {
  return (await model.participant(id))?.name ?? id;
}

async function findLot(model: ReadModel, raw: string | undefined): Promise<LotInfo | null> {
  if (!raw) return null;
  const key = (await search(model, raw)).keys[0];
  const lotKey = key ? await lotKeyOf(model, key) : null;
  return lotKey ? lotOfKey(model, lotKey) : null;
}

export function tracePages(app: Hono<DashEnv>, deps: WebDeps, auth: Auth): void {
  const model = deps.model;

  app.get('/regulator/search', async (c) => {
    const q = (c.req.query('q') ?? '').slice(0, queryCharsMax);
    const r = await search(model, q);
    const text = c.get('text');
    const { t } = text;
    return c.html(
      <DashPage session={c.get('session')} text={text} title={t.tabs.search} tab="search">
        <form method="get" action="/regulator/search" class="card">
          <label for="q">{t.search.label}</label>
          <input type="search" id="q" name="q" value={q} maxlength={queryCharsMax} />
          <p>
            <button type="submit">{t.search.submit}</button>
          </p>
        </form>
        {r.error ? <p class="bad">{r.error}</p> : null}
        <ul id="results">
          {r.keys.map((k) => (
            <li>{traceLink(k, t)}</li>
          ))}
          {r.participants.map((p) => (
            <li>
              {t.search.participant} {localName(p.name, text.lang)} <code>{p.id}</code> ({p.roles.join(', ')})
            </li>
          ))}
          {r.devices.map((d) => (
            <li>
              {t.search.device} <code>{d.deviceId}</code> ({d.kind}){' '}
              {d.gatewayKeyId === null ? <span class="bad">{t.search.unbound}</span> : null}
            </li>
          ))}
          {r.lotsOfMatches.map((l) => (
            <li>{traceLink(l.key, t)}</li>
          ))}
        </ul>
        {q !== '' && r.keys.length + r.participants.length + r.devices.length === 0 && !r.error ? (
          <p>{t.search.noMatches}</p>
        ) : null}
      </DashPage>,
    );
  });

  app.get('/regulator/trace', async (c) => {
    const key = (await search(model, c.req.query('key') ?? '')).keys[0];
    if (!key)
      return c.json(
        { error: { code: 'query.invalid', message: 'key must be an item or lot identity' } },
        400,
      );
    const graph = await traceGraph(
      key,
      (k) => model.parents(k),
      (k) => model.children(k),
    );
    const lotKey = await lotKeyOf(model, key);
    const backward = graph.nodes.filter((n) => n.depth < 0);
    const forward = graph.nodes.filter((n) => n.depth > 0);
    const text = c.get('text');
    const { t } = text;
    const title = fill(t.trace.title, { key: keyLabel(key, t.keyKinds) });
    return c.html(
      <DashPage session={c.get('session')} text={text} title={title} tab="search">
        <p>
          <a href={resolverPath(key)}>{t.trace.consumerPage}</a> ·{' '}
          <a href={`/regulator/export/epcis?key=${encodeURIComponent(key)}`}>{t.trace.epcis}</a> ·{' '}
          <a href={`/regulator/export/fsma204.csv?key=${encodeURIComponent(key)}`}>{t.trace.fsma}</a>
          {lotKey ? (
            <>
              {' '}
              · <a href={`/regulator/recall?lot=${encodeURIComponent(lotKey)}`}>{t.trace.recallLot}</a>
            </>
          ) : null}
        </p>
        <div class="graph scroll">
          <TraceSvg graph={graph} kindNames={t.keyKinds} />
        </div>
        {graph.truncated ? <p class="bad">{fill(t.trace.truncated, { n: graph.nodes.length })}</p> : null}
        <h2>{fill(t.trace.backward, { n: backward.length })}</h2>
        <ul id="backward">
          {backward.slice(0, affectedRowsShownMax).map((n) => (
            <li>{traceLink(n.key, t)}</li>
          ))}
        </ul>
        <h2>{fill(t.trace.forward, { n: forward.length })}</h2>
        <ul id="forward">
          {forward.slice(0, affectedRowsShownMax).map((n) => (
            <li>{traceLink(n.key, t)}</li>
          ))}
        </ul>
      </DashPage>,
    );
  });

  app.get('/regulator/recall', async (c) => {
    const raw = c.req.query('lot');
    const lot = await findLot(model, raw);
    const session = c.get('session');
    const text = c.get('text');
    const { t } = text;
    const form = (
      <form method="get" action="/regulator/recall" class="card">
        <label for="lot">{t.recall.lotLabel}</label>
        <input type="search" id="lot" name="lot" value={raw ?? ''} maxlength={queryCharsMax} />
        <p>
          <button type="submit">{t.recall.show}</button>
        </p>
      </form>
    );
    if (!lot) {
      return c.html(
        <DashPage session={session} text={text} title={t.tabs.recall} tab="recall">
          {form}
          {raw ? <p class="bad">{fill(t.recall.noLot, { query: raw })}</p> : null}
        </DashPage>,
        raw ? 404 : 200,
      );
    }
    const affected = await affectedBy(model, lot);
    const holders = await Promise.all(
      [...affected.holders].map(async ([id, n]) => ({ id, n, name: await participantName(model, id) })),
    );
    const lotParam = encodeURIComponent(lot.key);
    const holderName = new Map(holders.map((h) => [h.id, h.name]));
    return c.html(
      <DashPage session={session} text={text} title={fill(t.recall.title, { lot: lot.lot })} tab="recall">
        {form}
        {lot.status === 'held' || lot.status === 'recalled' ? (
          <p class="notice notice-red" data-status={lot.status}>
            {fill(t.recall.lotIs, { status: t.statuses[lot.status] })}
          </p>
        ) : null}
        <p id="affected-summary">
          <strong>{affected.items.length}</strong>
          {t.recall.itemsIn}
          <strong>{affected.lots.length}</strong>
          {t.recall.lotsHeldBy}
          <strong>{holders.length}</strong>
          {t.recall.holdersEnd}
          <a href={`/regulator/recall.csv?lot=${lotParam}`}>{t.recall.csv}</a>
        </p>
        {session.role === 'regulator' ? (
          <form method="post" action="/regulator/recall/hold" class="card" id="hold-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="lot" value={lot.key} />
            <label for="reason">{t.recall.reason}</label>
            <input type="text" id="reason" name="reason" required maxlength={reasonCharsMax} />
            <p>
              <label>
                <input type="radio" name="kind" value="hold" checked /> {t.recall.hold}
              </label>{' '}
              <label>
                <input type="radio" name="kind" value="recall" /> {t.recall.recall}
              </label>
            </p>
            <button type="submit" class="danger">
              {t.recall.submit}
            </button>
          </form>
        ) : (
          <p class="muted">{t.recall.auditorNote}</p>
        )}
        <h2>{t.recall.holders}</h2>
        <table id="holders">
          <tbody>
            {holders.map((h) => (
              <tr>
                <td>{localName(h.name, text.lang)}</td>
                <td>{fill(t.recall.nItems, { n: h.n })}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>{t.recall.lots}</h2>
        <ul id="affected-lots">
          {affected.lots.map((l) => (
            <li>
              {traceLink(l.key, t)} ({t.statuses[l.status]})
            </li>
          ))}
        </ul>
        <h2>{t.recall.items}</h2>
        <table id="affected-items">
          <tbody>
            {affected.items.slice(0, affectedRowsShownMax).map((i) => (
              <tr>
                <td>{traceLink(i.key, t)}</td>
                <td>{t.statuses[i.status]}</td>
                <td>{localName(holderName.get(i.holderId ?? 'unknown') ?? '—', text.lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </DashPage>,
    );
  });

  app.get('/regulator/recall.csv', async (c) => {
    const lot = await findLot(model, c.req.query('lot'));
    if (!lot) return c.json({ error: { code: 'recall.unknownLot', message: 'no such lot' } }, 404);
    const affected = await affectedBy(model, lot);
    const names = new Map<string, string>();
    for (const id of affected.holders.keys()) names.set(id, await participantName(model, id));
    const rows = affected.items.map((i) => [
      i.key,
      i.gtin,
      i.serial,
      i.lot,
      i.status,
      i.holderId ?? '',
      names.get(i.holderId ?? '') ?? '',
    ]);
    c.header('Content-Disposition', `attachment; filename="recall-${lot.lot}.csv"`);
    return c.body(toCsv(['item', 'gtin', 'serial', 'lot', 'status', 'holder id', 'holder'], rows), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
    });
  });

  app.post(
    '/regulator/recall/hold',
    bodyLimit({ maxSize: formBytesMax }),
    auth.requireCsrf,
    auth.requireRole('regulator'),
    async (c) => {
      const form = await c.req.parseBody();
      const kind = form.kind === 'recall' ? 'recall' : form.kind === 'hold' ? 'hold' : null;
      const reason = typeof form.reason === 'string' ? form.reason.trim() : '';
      const lot = await findLot(model, typeof form.lot === 'string' ? form.lot : undefined);
      if (!kind || reason === '' || !lot)
        return c.json(
          { error: { code: 'hold.invalid', message: 'need a lot, a kind (hold|recall) and a reason' } },
          400,
        );
      if (!deps.regulatorKey)
        return c.json({ error: { code: 'hold.disabled', message: 'no regulator key configured' } }, 503);
      const affected = await affectedBy(model, lot);
      const cpl = new Map((await model.products()).map((p) => [p.gtin, p.companyPrefixLength]));
      const itemEpcs = affected.items.map((i) => sgtinEpc(i.gtin, i.serial, cpl.get(i.gtin) ?? 7));
      const lotClasses = affected.lots.map((l) => lgtinEpc(l.gtin, l.lot, cpl.get(l.gtin) ?? 7));
      const now = deps.clock.now();
      const request = signedSubmission(
        holdEvents(kind, itemEpcs, lotClasses, reason, now),
        deps.regulatorKey,
        now,
        now,
      );
      const outcome = await model.submit(request);
      if (outcome.status === 'rejected')
        return c.json({ error: { code: outcome.reason.code, message: outcome.reason.message } }, 409);
      return c.redirect(`/regulator/recall?lot=${encodeURIComponent(lot.key)}`, 303);
    },
  );
}
