import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

/** The one page shell: phone-first, inline CSS (one request per page), system fonts, no web fonts. */

/** Exported so page bodies can reuse its bytes (consumer/page-parts.ts). */
export const pageCss = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1b2a22;background:#f4f7f4}
main{max-width:720px;margin:0 auto;padding:12px 14px 40px}
main.wide{max-width:1100px}
header.bar{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:10px 14px;background:#1f6f43;color:#fff}
header.bar a{color:#fff}
header.bar .brand{font-weight:700;text-decoration:none}
h1{font-size:1.45rem;margin:.4em 0 .2em}
h2{font-size:1.1rem;margin:1.4em 0 .5em;border-bottom:2px solid #cfe3d5;padding-bottom:.2em}
a{color:#155d37}
.muted{color:#5d6b63;font-size:.9em}
.notice{border-radius:8px;padding:12px 14px;margin:10px 0;font-weight:600}
.notice-red{background:#b3261e;color:#fff}
.notice-amber{background:#fff3cd;color:#5c4400;border:1px solid #e0b400}
.card{background:#fff;border-radius:10px;padding:12px 14px;margin:10px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}
dl.facts dt{color:#5d6b63}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.badge{border-radius:10px;padding:12px 14px;margin:10px 0;border:2px solid #8aa596;background:#fff}
.badge-verified{border-color:#1f6f43;background:#e6f4ea}
.badge-failed{border-color:#b3261e;background:#fdecea}
.badge-title{font-weight:700;display:block}
.badge-detail{white-space:pre-line;font-size:.9em;display:block;overflow-wrap:anywhere}
ol.timeline{list-style:none;margin:0;padding:0 0 0 18px;border-left:3px solid #cfe3d5}
ol.timeline li{position:relative;margin:0 0 14px;padding-left:6px}
ol.timeline li::before{content:"";position:absolute;left:-27px;top:.35em;width:14px;height:14px;border-radius:50%;background:#1f6f43;border:3px solid #f4f7f4}
ol.timeline li.stage-hold::before{background:#b3261e}
.stage{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;color:#1f6f43;font-weight:700}
.when{color:#5d6b63;font-size:.9em}
figure.chart{margin:8px 0 16px}
figure.chart figcaption{font-weight:600;font-size:.95em}
figure.chart svg{width:100%;height:auto;background:#fff;border-radius:8px}
.band{fill:#dff0e4}
.axis{stroke:#9fb3a7;stroke-width:1}
.series{fill:none;stroke:#1f6f43;stroke-width:1.8;stroke-linejoin:round}
.alarm{fill:#b3261e}
.tick{font-size:10px;fill:#5d6b63}
table{border-collapse:collapse;width:100%;font-size:.92em;background:#fff}
th,td{border-bottom:1px solid #e1e8e3;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef4f0;white-space:nowrap}
td code{word-break:break-all}
.scroll{overflow-x:auto}
form.inline{display:inline}
input,button,select,textarea{font:inherit}
input[type=text],input[type=password],input[type=search],textarea{width:100%;padding:8px;border:1px solid #9fb3a7;border-radius:6px}
button{padding:8px 14px;border:0;border-radius:6px;background:#1f6f43;color:#fff;cursor:pointer}
button.danger{background:#b3261e}
nav.tabs{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
nav.tabs a{padding:6px 10px;border-radius:6px;background:#fff;text-decoration:none}
nav.tabs a[aria-current=page]{background:#1f6f43;color:#fff}
.graph svg{width:100%;height:auto;background:#fff;border-radius:8px}
.ok{color:#1f6f43}.bad{color:#b3261e;font-weight:600}
code{font-size:.85em;overflow-wrap:anywhere}
`;

export interface PageProps {
  title: string;
  lang: string;
  children: Child;
  header?: Child;
  scripts?: string[];
  wide?: boolean;
}

export function Page(props: PageProps) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="icon" href="data:," />
        <style>{raw(pageCss)}</style>
      </head>
      <body>
        {props.header ?? null}
        <main class={props.wide ? 'wide' : undefined}>{props.children}</main>
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer />
        ))}
      </body>
    </html>
  );
}
