import type { Payload } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeRequest } from './submission-check.ts';
import {
  type Actor,
  actor,
  clientRequest,
  type LedgerFixture,
  ledgerFixture,
  register,
  submitBody,
  T0,
} from './testing.ts';

/**
 * What HTTP intake decoded is reused when the batch executes, but only for the very bytes it
 * decoded: another body under the same (submitter, seq) is decoded from its own bytes.
 */
let fx: LedgerFixture;
let gateway: Actor;
const reading = (seq: number, value: number): Payload => ({
  kind: 'reading',
  reading: { deviceId: 'probe-1', seq, time: T0, type: 'Temperature', value, uom: 'CEL' },
});

beforeEach(() => {
  fx = ledgerFixture();
  gateway = actor('farm-gw');
  expect(fx.run(submitBody(fx.admin, [register(gateway, ['farm'])], T0))?.status).toBe('committed');
  const bind: Payload = {
    kind: 'registry',
    action: { type: 'bindDevice', deviceId: 'probe-1', gateway: gateway.key.keyId },
  };
  expect(fx.run(submitBody(gateway, [bind], T0))?.status).toBe('committed');
});
afterEach(() => fx.cleanup());

function committedValues(): number[] {
  const row = fx.machine.db
    .prepare(`SELECT tx FROM txs WHERE tx LIKE '%"readingBatch"%' ORDER BY height DESC, idx DESC LIMIT 1`)
    .get() as { tx: string };
  const last = JSON.parse(row.tx) as { payloads?: { reading: { value: number } }[] };
  return (last.payloads ?? []).map((p) => p.reading.value);
}

describe('intake-decoded submissions', () => {
  it('are used for the same bytes and ignored for other bytes under the same (submitter, seq)', () => {
    const seq = gateway.seq + 1;
    const taken = clientRequest(submitBody(gateway, [reading(1, 20)], T0, seq));
    const ordered = clientRequest(submitBody(gateway, [reading(1, 99)], T0, seq));
    const decoded = decodeRequest(taken);
    expect(decoded.ok).toBe(true);
    fx.machine.rememberDecoded(taken, decoded);
    fx.orderer.propose(ordered);
    fx.orderer.flush();
    expect(fx.machine.chains.submission(gateway.key.keyId, seq)?.status).toBe('committed');
    expect(committedValues()).toEqual([99]);

    const next = clientRequest(submitBody(gateway, [reading(2, 21), reading(3, 22)], T0, seq + 1));
    fx.machine.rememberDecoded(next, decodeRequest(next));
    fx.orderer.propose(next);
    fx.orderer.flush();
    expect(committedValues()).toEqual([21, 22]);
  });
});
