import { fill, type Lang, strings } from '../i18n.ts';
import { Page } from '../layout.tsx';

/** The resolver's 400 and 404 pages: say plainly what was wrong with the code. */
export function ErrorPage(props: { status: 400 | 404; lang: Lang; detail: string }) {
  const t = strings[props.lang];
  const title = props.status === 400 ? t.badRequestTitle : t.notFoundTitle;
  const message =
    props.status === 400
      ? fill(t.badRequest, { reason: props.detail })
      : fill(t.notFound, { id: props.detail });
  return (
    <Page
      title={`${title} · ${t.appName}`}
      lang={t.htmlLang}
      header={
        <header class="bar">
          <span class="brand">{t.appName}</span>
        </header>
      }
    >
      <h1>
        {props.status} · {title}
      </h1>
      <p id="error-detail">{message}</p>
    </Page>
  );
}
