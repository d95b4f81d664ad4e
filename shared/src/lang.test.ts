import { describe, expect, it } from 'vitest';
import { fill, pickLang } from './lang.ts';

describe('pickLang', () => {
  it('takes ?lang, then the cookie, then Accept-Language', () => {
    expect(pickLang('en', 'zh', 'zh-CN')).toBe('en');
    expect(pickLang(undefined, 'en', 'zh-CN')).toBe('en');
    expect(pickLang('fr', 'xx', 'en-GB,en;q=0.9')).toBe('en');
  });

  it('ranks Accept-Language by q, then by order, and skips q=0 and unknown tags', () => {
    expect(pickLang(undefined, undefined, 'fr;q=1, en;q=0.5, zh;q=0.8')).toBe('zh');
    expect(pickLang(undefined, undefined, 'en;q=0, zh-TW;q=0.1')).toBe('zh');
    expect(pickLang(undefined, undefined, 'de, EN-us')).toBe('en');
  });

  it('falls back to Chinese, and reads only the first 20 entries of a long header', () => {
    expect(pickLang(undefined, undefined, undefined)).toBe('zh');
    expect(pickLang(undefined, undefined, `${'fr,'.repeat(20)}en`)).toBe('zh');
    expect(pickLang(undefined, undefined, `${'fr,'.repeat(19)}en`)).toBe('en');
  });
});

describe('fill', () => {
  it('fills known placeholders and leaves unknown ones', () => {
    expect(fill('{n} of {total} {x}', { n: 3, total: 'ten' })).toBe('3 of ten {x}');
  });
});
