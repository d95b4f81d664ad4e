import { describe, expect, it } from 'vitest';
import { limits } from '../limits.ts';
import { registryActionSchema } from './registry.ts';
import { submitRequestSchema } from './submit.ts';

const key = 'A'.repeat(43);
const base = { submitter: key, seq: 1, created: 0, signature: 'B'.repeat(86) };
const reading = {
  kind: 'reading',
  reading: { deviceId: 'd1', seq: 1, time: 0, type: 'Temperature', value: 4, uom: 'CEL' },
};
const event = { kind: 'event', event: { type: 'ObjectEvent', eventTime: '2026-01-01T00:00:00Z' } };

describe('wire: submit request', () => {
  it('accepts a reading batch and an event submission', () => {
    expect(
      submitRequestSchema.safeParse({ publicKey: key, submission: { ...base, payloads: [reading] } }).success,
    ).toBe(true);
    expect(
      submitRequestSchema.safeParse({ publicKey: key, submission: { ...base, payloads: [event] } }).success,
    ).toBe(true);
  });

  it('refuses mixed payloads, unknown kinds and unknown fields', () => {
    const mixed = submitRequestSchema.safeParse({
      publicKey: key,
      submission: { ...base, payloads: [reading, event] },
    });
    expect(mixed.success).toBe(false);
    const unknown = submitRequestSchema.safeParse({
      publicKey: key,
      submission: { ...base, payloads: [{ kind: 'x' }] },
    });
    expect(unknown.success).toBe(false);
    expect(
      submitRequestSchema.safeParse({ publicKey: key, submission: { ...base, payloads: [event] }, extra: 1 })
        .success,
    ).toBe(false);
  });

  it('takes up to batchReadingsMax readings but only submissionPayloadsMax events', () => {
    const parse = (payloads: unknown[]) =>
      submitRequestSchema.safeParse({ publicKey: key, submission: { ...base, payloads } }).success;
    expect(limits.batchReadingsMax).toBeGreaterThan(limits.submissionPayloadsMax);
    expect(parse(Array(limits.batchReadingsMax).fill(reading))).toBe(true);
    expect(parse(Array(limits.batchReadingsMax + 1).fill(reading))).toBe(false);
    expect(parse(Array(limits.submissionPayloadsMax).fill(event))).toBe(true);
    expect(parse(Array(limits.submissionPayloadsMax + 1).fill(event))).toBe(false);
  });

  it('checks registry actions', () => {
    const ok = {
      type: 'registerParticipant',
      participant: { id: 'urn:suyuan:party:f', name: 'F', roles: ['farm'], publicKey: key },
    };
    expect(registryActionSchema.safeParse(ok).success).toBe(true);
    expect(
      registryActionSchema.safeParse({ ...ok, participant: { ...ok.participant, roles: ['king'] } }).success,
    ).toBe(false);
    expect(registryActionSchema.safeParse({ type: 'revokeKey', keyId: key, reason: '' }).success).toBe(false);
  });
});
