import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Lang, Strings } from './i18n.ts';

/** The page shell: phone-first, one inline stylesheet, system fonts, no JavaScript. */
const css = `
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1b2a22;background:#f4f7f4}
header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#1f6f43;color:#fff}
header a{color:#fff;font-weight:600}
nav{display:flex;flex-wrap:wrap;gap:4px;background:#e3efe6;padding:6px 8px}
nav a{padding:10px 9px;border-radius:8px;color:#155d37;text-decoration:none;white-space:nowrap;font-weight:600}
nav a[aria-current=page]{background:#1f6f43;color:#fff}
main{max-width:640px;margin:0 auto;padding:8px 14px 40px}
h1{font-size:1.35rem;margin:.5em 0}
h2{font-size:1.1rem;margin:1.2em 0 .4em}
.card{background:#fff;border-radius:10px;padding:12px 14px;margin:10px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.notice{border-radius:8px;padding:12px 14px;margin:10px 0;font-weight:600}
.bad{background:#fdecea;color:#8c1d18;border:2px solid #b3261e}
.good{background:#e6f4ea;color:#14532d;border:2px solid #1f6f43}
dl{display:grid;grid-template-columns:1fr max-content;gap:4px 12px;margin:0}
dt{color:#4d5b53}dd{margin:0;font-weight:600;text-align:right}
label{display:block;margin:12px 0 4px;font-weight:600}
input,select{width:100%;font:inherit;padding:12px;border:1px solid #8aa596;border-radius:8px;background:#fff;min-height:48px}
input[type=checkbox]{width:28px;min-height:28px;vertical-align:middle}
.check{display:flex;align-items:center;gap:10px;font-weight:400;font-family:monospace;font-size:.9em}
button{width:100%;margin-top:16px;font:inherit;font-weight:700;padding:14px;border:0;border-radius:10px;background:#1f6f43;color:#fff;min-height:52px}
.hint{color:#4d5b53;font-size:.9em;margin:2px 0}
table{width:100%;border-collapse:collapse;font-size:.95em}
th,td{text-align:left;padding:6px 4px;border-bottom:1px solid #dfe7e1}
.muted{color:#5d6b63;font-size:.9em}
img.sheet{width:100%;height:auto;background:#fff}
`;

export interface PageProps {
  lang: Lang;
  t: Strings;
  title: string;
  path: string;
  children?: Child;
}

export function Page(props: PageProps) {
  const { t, path } = props;
  const other = props.lang === 'zh' ? 'en' : 'zh';
  const links: [string, string][] = [
    ['/', t.home],
    ['/plots', t.plots],
    ['/work', t.work],
    ['/harvest', t.harvest],
  ];
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={t.htmlLang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · ${t.app}`}</title>
          <style>{raw(css)}</style>
        </head>
        <body>
          <header>
            <span>{t.app}</span>
            <a href={`${path}?lang=${other}`} lang={other === 'zh' ? 'zh-CN' : 'en'}>
              {t.switchTo}
            </a>
          </header>
          <nav aria-label={t.app}>
            {links.map(([href, text]) => (
              <a href={href} aria-current={href === path ? 'page' : undefined}>
                {text}
              </a>
            ))}
          </nav>
          <main>
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

export function Notice(props: { kind: 'good' | 'bad'; children?: Child }) {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === 'bad' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}
