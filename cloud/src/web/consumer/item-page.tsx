import type { HtmlEscapedString } from 'hono/utils/html';
import { fill, type Lang, localName, strings } from '../i18n.ts';
import { Page } from '../layout.tsx';
import { Chart, type ChartProps } from './chart.tsx';
import type { ChartMemo } from './chart-memo.ts';
import type { ItemView } from './item-view.ts';
import type { JourneyStep } from './journey.ts';

/** The consumer page: notices first, the badge, what and where from, the journey, the conditions. */

export interface ItemPageProps {
  view: ItemView;
  lang: Lang;
  /** This page's own path, for the language switch. */
  path: string;
  proofsUrl: string;
  replicaKeys: string[];
  /** Grouped PBFT: the layout the badge checks grouped certificates under. */
  replicaGroups?: readonly (readonly number[])[];
  scriptUrl: string;
  suspectedClone: boolean;
  lotSerials: string[];
  /** Reuse charts drawn for other pages (same lot, same truck); none: draw each. */
  charts?: ChartMemo | undefined;
  /** The `ItemSections` of this view, already rendered (shared by a lot's items); none: render them. */
  sections?: HtmlEscapedString | undefined;
}

function formatTime(ms: number, lang: Lang): string {
  const d = new Date(ms + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${lang === 'zh' ? ' (北京时间)' : ' CST'}`;
}

function Step(props: { step: JourneyStep; lang: Lang; placeNames: Map<string, string> }) {
  const t = strings[props.lang];
  const { step } = props;
  const place = step.place === null ? null : (props.placeNames.get(step.place) ?? null);
  return (
    <li class={`stage-${step.stage}`}>
      <div class="stage">{t.stages[step.stage]}</div>
      <div>
        <strong>{t.steps[step.step] ?? step.step}</strong>
        {place ? ` · ${localName(place, props.lang)}` : ''}
      </div>
      {step.productApplied ? (
        <div class="muted">
          {t.applied}: {step.productApplied}
          {step.preHarvestIntervalDays === null
            ? ''
            : ` · ${fill(t.phi, { days: step.preHarvestIntervalDays })}`}
        </div>
      ) : null}
      <div class="when">{formatTime(step.time, props.lang)}</div>
    </li>
  );
}

function badgeStrings(lang: Lang): string {
  const b = strings[lang].badge;
  return JSON.stringify(b);
}

/**
 * The journey and the growing and cold-chain charts: the bulk of a page, and the part the items of
 * a lot share (`ItemView.storyKey`), so it is rendered once and reused (consumer-pages.tsx).
 */
export function ItemSections(props: { view: ItemView; lang: Lang; charts?: ChartMemo | undefined }) {
  const { view, lang } = props;
  const t = strings[lang];
  const cold = view.product.coldChain;
  const chart = (sourceKey: string, p: ChartProps) =>
    props.charts ? props.charts.render(sourceKey, p) : <Chart {...p} />;
  return (
    <>
      <h2>{t.journey}</h2>
      <ol class="timeline" id="journey">
        {view.steps.map((step) => (
          <Step step={step} lang={lang} placeNames={view.placeNames} />
        ))}
      </ol>
      <h2>{t.growing}</h2>
      {chart(view.seriesKeys.growing, {
        title: t.soilTemperature,
        points: view.growing.temperature,
        emptyText: t.noReadings,
        lang,
      })}
      {chart(view.seriesKeys.growing, {
        title: t.soilMoisture,
        points: view.growing.moisture,
        emptyText: t.noReadings,
        lang,
      })}
      <h2>{t.coldChain}</h2>
      {view.excursions.map((e) => (
        <p class="bad">{fill(t.excursion, { minutes: e.minutes })}</p>
      ))}
      {chart(view.seriesKeys.coldChain, {
        title: t.transportTemperature,
        points: view.coldChain,
        band: {
          min: cold.minC,
          max: cold.maxC,
          label: fill(t.allowedRange, { min: cold.minC, max: cold.maxC }),
        },
        emptyText: t.noReadings,
        lang,
      })}
    </>
  );
}

export function ItemPage(props: ItemPageProps) {
  const { view, lang } = props;
  const t = strings[lang];
  const productName = view.product.name[lang];
  const region = t.regions[view.lot.plot.region] ?? view.lot.plot.region;
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const header = (
    <header class="bar">
      <a class="brand" href={props.path}>
        {t.appName}
      </a>
      <a href={`${props.path}?lang=${other}`} hreflang={other} lang={other}>
        {t.switchTo}
      </a>
    </header>
  );
  return (
    <Page
      title={`${productName} · ${t.appName}`}
      lang={t.htmlLang}
      header={header}
      scripts={[props.scriptUrl]}
    >
      {view.status === 'recalled' ? (
        <div class="notice notice-red" role="alert" id="notice-recall">
          {t.recalledNotice}
        </div>
      ) : null}
      {view.status === 'held' ? (
        <div class="notice notice-red" role="alert" id="notice-hold">
          {t.heldNotice}
        </div>
      ) : null}
      {props.suspectedClone ? (
        <div class="notice notice-amber" role="alert" id="notice-clone">
          {t.cloneNotice}
        </div>
      ) : null}
      <h1>{productName}</h1>
      <div
        id="verify-badge"
        class="badge"
        data-state="checking"
        data-proofs={props.proofsUrl}
        data-replica-keys={JSON.stringify(props.replicaKeys)}
        data-replica-groups={props.replicaGroups ? JSON.stringify(props.replicaGroups) : undefined}
        data-strings={badgeStrings(lang)}
        aria-live="polite"
      >
        <span class="badge-title">{t.badge.checking}</span>
        <span class="badge-detail" />
      </div>
      <section class="card">
        <dl class="facts">
          <dt>{t.farm}</dt>
          <dd>{view.farm ? localName(view.farm.name, lang) : '—'}</dd>
          <dt>{t.origin}</dt>
          <dd>
            {view.lot.plot.name[lang]} · {region}
          </dd>
          <dt>{t.lot}</dt>
          <dd>{view.lot.lot}</dd>
          {view.item ? (
            <>
              <dt>{t.serial}</dt>
              <dd>{view.item.serial}</dd>
            </>
          ) : null}
          {view.lot.harvestedAt === null ? null : (
            <>
              <dt>{t.harvested}</dt>
              <dd>{formatTime(view.lot.harvestedAt, lang)}</dd>
            </>
          )}
          {view.holder ? (
            <>
              <dt>{t.holder}</dt>
              <dd>{localName(view.holder.name, lang)}</dd>
            </>
          ) : null}
        </dl>
      </section>
      {props.sections ?? <ItemSections view={view} lang={lang} charts={props.charts} />}
      {view.item === null ? (
        <section>
          <h2>{t.lotPageNote}</h2>
          <ul>
            {props.lotSerials.map((s) => (
              <li>
                <a href={`/01/${view.lot.gtin}/21/${encodeURIComponent(s)}`}>{s}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Page>
  );
}
