/**
 * The languages every Suyuan page speaks (farmers' gateway UI, consumer pages, regulator dashboard)
 * and how a request picks one: an explicit `?lang=` wins, then the `lang` cookie the language switch
 * sets, then Accept-Language (first supported base tag by q-value); Chinese when nothing matches.
 * The strings themselves live with each UI.
 */

export const languages = ['zh', 'en'] as const;
export type Lang = (typeof languages)[number];

/** Accept-Language entries read at most: a header is client input and may be long. */
const acceptLanguageEntriesMax = 20;

export function isLang(value: string | undefined): value is Lang {
  return value === 'zh' || value === 'en';
}

export function pickLang(
  query: string | undefined,
  cookie: string | undefined,
  acceptLanguage: string | undefined,
): Lang {
  if (isLang(query)) return query;
  if (isLang(cookie)) return cookie;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .slice(0, acceptLanguageEntriesMax)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: tag.split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0 && isLang(x.base))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const base = ranked[0]?.base;
  return isLang(base) ? base : 'zh';
}

/** Fill `{name}` placeholders; an unknown name is left as it is. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}
