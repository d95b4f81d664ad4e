import type { Child } from 'hono/jsx';
import { Page } from '../layout.tsx';
import type { Session } from './sessions.ts';

/** The dashboard frame: top bar with the user and a logout form, tabs, content. */

const tabs = [
  ['network', '/regulator', 'Network 网络'],
  ['explorer', '/regulator/explorer', 'Explorer 区块'],
  ['search', '/regulator/search', 'Search & trace 查询追溯'],
  ['recall', '/regulator/recall', 'Recall 召回'],
  ['alerts', '/regulator/alerts', 'Alerts 警报'],
] as const;

export type Tab = (typeof tabs)[number][0];

export function DashPage(props: { session: Session; title: string; tab: Tab; children: Child }) {
  const header = (
    <header class="bar">
      <a class="brand" href="/regulator">
        溯源 监管 · Suyuan regulator
      </a>
      <form class="inline" method="post" action="/regulator/logout">
        <input type="hidden" name="_csrf" value={props.session.csrf} />
        <span>
          {props.session.username} ({props.session.role}){' '}
        </span>
        <button type="submit">Log out</button>
      </form>
    </header>
  );
  return (
    <Page title={`${props.title} · Suyuan regulator`} lang="en" header={header} wide>
      <nav class="tabs" aria-label="Dashboard">
        {tabs.map(([id, href, label]) => (
          <a href={href} aria-current={id === props.tab ? 'page' : undefined}>
            {label}
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
