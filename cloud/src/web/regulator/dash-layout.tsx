import type { Child } from 'hono/jsx';
import { Page } from '../layout.tsx';
import type { DashText } from './dash-i18n.ts';
import type { Session } from './sessions.ts';

/** The dashboard frame: top bar with the language switch, the user and a logout form, tabs, content. */

const tabs = [
  ['network', '/regulator'],
  ['explorer', '/regulator/explorer'],
  ['search', '/regulator/search'],
  ['recall', '/regulator/recall'],
  ['alerts', '/regulator/alerts'],
] as const;

export type Tab = (typeof tabs)[number][0];

/** The language switch: a link to the same page in the other language. */
export function LangSwitch(props: { text: DashText }) {
  return (
    <a id="lang-switch" href={props.text.switchHref} lang={props.text.lang === 'zh' ? 'en' : 'zh-CN'}>
      {props.text.t.switchTo}
    </a>
  );
}

export function DashPage(props: {
  session: Session;
  text: DashText;
  title: string;
  tab: Tab;
  children: Child;
}) {
  const { t } = props.text;
  const header = (
    <header class="bar">
      <a class="brand" href="/regulator">
        {t.brand}
      </a>
      <form class="inline" method="post" action="/regulator/logout">
        <input type="hidden" name="_csrf" value={props.session.csrf} />
        <LangSwitch text={props.text} />{' '}
        <span>
          {props.session.username} ({t.roles[props.session.role] ?? props.session.role}){' '}
        </span>
        <button type="submit">{t.logout}</button>
      </form>
    </header>
  );
  return (
    <Page title={`${props.title} · ${t.brand}`} lang={t.htmlLang} header={header} wide>
      <nav class="tabs" aria-label={t.brand}>
        {tabs.map(([id, href]) => (
          <a href={href} id={`tab-${id}`} aria-current={id === props.tab ? 'page' : undefined}>
            {t.tabs[id]}
          </a>
        ))}
      </nav>
      <h1>{props.title}</h1>
      {props.children}
    </Page>
  );
}

export function formatTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '—';
}
