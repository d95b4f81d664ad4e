import { parseEpcisEvent } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { fieldWorkEvent, harvestEvents, itemDigitalLink } from './farm-events.ts';

const id = {
  gtin: '06901234123456',
  companyPrefixLength: 7,
  farmGln: '6901234000108',
  resolverBase: 'https://resolver.example',
};

describe('farm events', () => {
  it('spraying carries its pre-harvest interval and validates', () => {
    const e = fieldWorkEvent(id, {
      kind: 'spraying',
      plotCode: 'A1',
      timeMs: Date.UTC(2026, 5, 1),
      product: 'Bt',
      preHarvestIntervalDays: 7,
    }) as Record<string, unknown>;
    expect(e['suyuan:preHarvestIntervalDays']).toBe(7);
    expect((e.readPoint as { id: string }).id).toBe('urn:epc:id:sgln:6901234.00010.A1');
    expect(parseEpcisEvent(e).type).toBe('ObjectEvent');
  });

  it('harvest commissions the lot and the items with their tags', () => {
    const events = harvestEvents(id, {
      plotCode: 'A1',
      lotCode: 'H1',
      quantityKg: 12,
      timeMs: Date.UTC(2026, 5, 1),
      serials: [1, 2],
      tags: new Map([[1, 'E2801160600002040000ABCD']]),
    }) as Record<string, unknown>[];
    expect(events).toHaveLength(2);
    expect(events[1]?.epcList).toEqual([
      'urn:epc:id:sgtin:6901234.012345.1',
      'urn:epc:id:sgtin:6901234.012345.2',
    ]);
    expect(itemDigitalLink(id, 2)).toBe('https://resolver.example/01/06901234123456/21/2');
  });
});
