import { describe, expect, it } from 'vitest';
import { identifyEpc } from './epc-identity.ts';

describe('identifyEpc', () => {
  it('decodes an SGTIN-96 and keeps anything else raw', () => {
    expect(identifyEpc('3074257BF7194E4000001A85')).toMatchObject({
      kind: 'sgtin96',
      idUri: 'urn:epc:id:sgtin:0614141.812345.6789',
    });
    expect(identifyEpc('E2801160600002054CC2B7BB')).toEqual({ kind: 'raw', hex: 'E2801160600002054CC2B7BB' });
    expect(identifyEpc('3074257B')).toEqual({ kind: 'raw', hex: '3074257B' });
    expect(identifyEpc('')).toEqual({ kind: 'raw', hex: '' });
  });
});
