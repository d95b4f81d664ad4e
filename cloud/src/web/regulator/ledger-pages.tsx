import type { Hono } from 'hono';
import { z } from 'zod';
import { fill } from '../i18n.ts';
import type { ReadModel } from '../read-model.ts';
import type { DashEnv } from './auth-routes.tsx';
import type { DashStrings } from './dash-i18n.ts';
import { DashPage, formatTime } from './dash-layout.tsx';

/** Network health and the chain explorer: replicas, heights, lag; blocks, transactions, rejections. */

export const blocksPerPageMax = 50;

const chainParam = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
const heightParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

function txSummary(
  tx: { kind: string; payload?: unknown; payloads?: unknown[]; gaps?: unknown[] },
  t: DashStrings,
): string {
  if (tx.kind === 'readingBatch')
    return (
      fill(t.explorer.readings, { n: tx.payloads?.length ?? 0 }) +
      (tx.gaps?.length ? fill(t.explorer.gaps, { n: tx.gaps.length }) : '')
    );
  const p = tx.payload as { kind?: string; event?: Record<string, unknown>; action?: { type?: string } };
  if (p?.kind === 'event') return `${String(p.event?.type)} ${String(p.event?.bizStep ?? '')}`;
  if (p?.kind === 'registry') return fill(t.explorer.registry, { action: String(p.action?.type) });
  return tx.kind;
}

export function ledgerPages(app: Hono<DashEnv>, model: ReadModel): void {
  app.get('/regulator', async (c) => {
    const status = await model.networkStatus();
    const top = Object.fromEntries(status.chains.map((ch) => [ch.chain, ch.height]));
    const text = c.get('text');
    const { network: n } = text.t;
    return c.html(
      <DashPage session={c.get('session')} text={text} title={text.t.tabs.network} tab="network">
        <p>{fill(n.summary, { replicas: status.replicas.length, groups: status.groupCount })}</p>
        <div class="scroll">
          <table id="replicas">
            <thead>
              <tr>
                <th>{n.replica}</th>
                <th>{n.group}</th>
                <th>{n.view}</th>
                {status.chains.map((ch) => (
                  <th>{fill(n.heightLag, { chain: ch.chain })}</th>
                ))}
                <th>{n.lastCommit}</th>
              </tr>
            </thead>
            <tbody>
              {status.replicas.map((r) => (
                <tr>
                  <td>{r.name}</td>
                  <td>{r.group}</td>
                  <td>{r.view}</td>
                  {status.chains.map((ch) => {
                    const h = r.heights[ch.chain] ?? 0;
                    const lag = (top[ch.chain] ?? 0) - h;
                    return <td class={lag > 0 ? 'bad' : undefined}>{`${h} (${lag})`}</td>;
                  })}
                  <td>{formatTime(r.lastCommitTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>{n.chains}</h2>
        <div class="scroll">
          <table id="chains">
            <thead>
              <tr>
                <th>{n.chain}</th>
                <th>{n.height}</th>
                <th>{n.headHash}</th>
                <th>{n.lastCommit}</th>
              </tr>
            </thead>
            <tbody>
              {status.chains.map((ch) => (
                <tr>
                  <td>
                    <a href={`/regulator/explorer?chain=${ch.chain}`}>{ch.chain}</a>
                  </td>
                  <td>{ch.height}</td>
                  <td>
                    <code>{ch.headHash}</code>
                  </td>
                  <td>{formatTime(ch.lastCommitTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </DashPage>,
    );
  });

  app.get('/regulator/explorer', async (c) => {
    const chain = chainParam.safeParse(c.req.query('chain') ?? 'trace');
    const before =
      c.req.query('before') === undefined ? undefined : heightParam.safeParse(c.req.query('before'));
    if (!chain.success || (before && !before.success)) {
      return c.json(
        { error: { code: 'query.invalid', message: 'chain is a chain name, before a block height' } },
        400,
      );
    }
    const status = await model.networkStatus();
    const blocks = await model.blocks(chain.data, blocksPerPageMax, before?.data);
    const rejections = await model.rejections(50);
    const last = blocks.at(-1)?.header.height;
    const text = c.get('text');
    const x = text.t.explorer;
    return c.html(
      <DashPage session={c.get('session')} text={text} title={text.t.tabs.explorer} tab="explorer">
        <nav class="tabs">
          {status.chains.map((ch) => (
            <a
              href={`/regulator/explorer?chain=${ch.chain}`}
              aria-current={ch.chain === chain.data ? 'page' : undefined}
            >
              {ch.chain}
            </a>
          ))}
        </nav>
        <div class="scroll">
          <table id="blocks">
            <thead>
              <tr>
                <th>{text.t.network.height}</th>
                <th>{x.time}</th>
                <th>{x.txs}</th>
                <th>{x.batch}</th>
                <th>{x.signers}</th>
                <th>{x.hash}</th>
              </tr>
            </thead>
            <tbody>
              {blocks.map((b) => (
                <tr>
                  <td>
                    <a href={`/regulator/explorer/${chain.data}/${b.header.height}`}>{b.header.height}</a>
                  </td>
                  <td>{formatTime(b.header.time)}</td>
                  <td>{b.header.txCount}</td>
                  <td>{b.header.batchSeq}</td>
                  <td>{b.signerCount}</td>
                  <td>
                    <code>{b.hash.slice(0, 16)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {last !== undefined && last > 1 ? (
          <a href={`/regulator/explorer?chain=${chain.data}&before=${last - 1}`}>{x.older}</a>
        ) : null}
        <h2>{x.rejected}</h2>
        <table id="rejections">
          <thead>
            <tr>
              <th>{x.time}</th>
              <th>{x.submitterSeq}</th>
              <th>{x.code}</th>
              <th>{x.reason}</th>
            </tr>
          </thead>
          <tbody>
            {rejections.map((r) => (
              <tr>
                <td>{formatTime(r.time)}</td>
                <td>
                  <code>
                    {r.submitter.slice(0, 10)}…#{r.seq}
                  </code>
                </td>
                <td>{r.reason.code}</td>
                <td>{r.reason.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </DashPage>,
    );
  });

  app.get('/regulator/explorer/:chain/:height', async (c) => {
    const chain = chainParam.safeParse(c.req.param('chain'));
    const height = heightParam.safeParse(c.req.param('height'));
    if (!chain.success || !height.success) {
      return c.json({ error: { code: 'query.invalid', message: 'bad chain name or height' } }, 400);
    }
    const block = await model.block(chain.data, height.data);
    if (!block) return c.json({ error: { code: 'explorer.notFound', message: 'no such block' } }, 404);
    const h = block.summary.header;
    const text = c.get('text');
    const x = text.t.explorer;
    const title = fill(x.block, { chain: h.chain, height: h.height });
    return c.html(
      <DashPage session={c.get('session')} text={text} title={title} tab="explorer">
        <dl class="facts card">
          <dt>{x.hash}</dt>
          <dd>
            <code>{block.summary.hash}</code>
          </dd>
          <dt>{x.previous}</dt>
          <dd>
            <code>{h.prevHash}</code>
          </dd>
          <dt>{x.txRoot}</dt>
          <dd>
            <code>{h.txRoot}</code>
          </dd>
          <dt>{x.time}</dt>
          <dd>{formatTime(h.time)}</dd>
          <dt>{x.batchSigners}</dt>
          <dd>
            {h.batchSeq} / {block.summary.signerCount}
          </dd>
          <dt>{x.anchors}</dt>
          <dd>
            {Object.entries(h.anchors)
              .map(([k, v]) => `${k}#${v.height}`)
              .join(', ') || '—'}
          </dd>
        </dl>
        <table id="txs">
          <thead>
            <tr>
              <th>#</th>
              <th>{x.submitterSeq}</th>
              <th>{x.what}</th>
            </tr>
          </thead>
          <tbody>
            {block.txs.map((t) => (
              <tr>
                <td>{t.location.index}</td>
                <td>
                  <code>
                    {t.tx.signed.submitter.slice(0, 10)}…#{t.tx.signed.seq}
                  </code>
                </td>
                <td>{txSummary(t.tx, text.t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </DashPage>,
    );
  });
}
