import { concatBytes, fromHex, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { ModbusPoller, type ModbusPollOutcome } from './modbus-poller.ts';
import {
  encodeModbusException,
  encodeReadHoldingRegisters,
  encodeReadHoldingRegistersResponse,
} from './modbus-rtu.ts';
import { randomChunks } from './serial-test-support.ts';
import { ManualTimers } from './timers.ts';

const registers = [0x028c, 0xff9b, 0x04b0, 0x0044, 0x0028, 0x000c, 0x0055];
const response = encodeReadHoldingRegistersResponse(1, registers);
const limits = { pollIntervalMs: 1000, responseTimeoutMs: 100, retriesMax: 2 };

function setup(portOpen = true) {
  const timers = new ManualTimers();
  const written: Uint8Array[] = [];
  const outcomes: ModbusPollOutcome[] = [];
  const poller = new ModbusPoller({
    request: { slave: 1, firstRegister: 0, registerCount: 7 },
    limits,
    timers,
    write: (bytes) => {
      if (portOpen) written.push(bytes);
      return portOpen;
    },
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  return { timers, written, outcomes, poller };
}

describe('ModbusPoller', () => {
  it('sends the read request and decodes a response arriving in many chunks', () => {
    const { timers, written, outcomes, poller } = setup();
    poller.start();
    expect(written).toEqual([encodeReadHoldingRegisters(1, 0, 7)]);
    timers.advance(30);
    for (const chunk of randomChunks(response, new SeededRng(3), 3)) poller.receive(chunk);
    expect(outcomes).toEqual([{ kind: 'registers', time: 30, attempts: 1, registers }]);
    timers.advance(969);
    expect(written).toHaveLength(1);
    timers.advance(1);
    expect(written).toHaveLength(2);
  });

  it('retries a silent probe, then reports a timeout and keeps polling', () => {
    const { timers, written, outcomes, poller } = setup();
    poller.start();
    timers.advance(limits.responseTimeoutMs * 3);
    expect(written).toHaveLength(3);
    expect(outcomes).toEqual([{ kind: 'timeout', time: 300, attempts: 3 }]);
    expect(poller.stats).toMatchObject({ polls: 1, retries: 2, timeouts: 1 });
    timers.advance(700);
    expect(written).toHaveLength(4);
  });

  it('answers on the second attempt after a corrupted first answer', () => {
    const { timers, outcomes, poller } = setup();
    poller.start();
    const corrupted = response.slice();
    corrupted[4] = corrupted[4]! ^ 0x40;
    poller.receive(corrupted);
    timers.advance(limits.responseTimeoutMs);
    poller.receive(concatBytes(fromHex('00FF'), response));
    expect(outcomes).toEqual([{ kind: 'registers', time: 100, attempts: 2, registers }]);
    expect(poller.decoderStats.checksumErrors).toBeGreaterThanOrEqual(1);
  });

  it('reports an exception response', () => {
    const { outcomes, poller } = setup();
    poller.start();
    poller.receive(encodeModbusException(1, 3, 2));
    expect(outcomes).toEqual([{ kind: 'exception', time: 0, attempts: 1, code: 2 }]);
  });

  it('ignores a late duplicate answer between polls', () => {
    const { outcomes, poller } = setup();
    poller.start();
    poller.receive(response);
    poller.receive(response);
    expect(outcomes).toHaveLength(1);
    expect(poller.decoderStats.bytesSkipped).toBe(response.length);
  });

  it('counts requests it could not send while the port is down, ending in a timeout', () => {
    const { timers, outcomes, poller } = setup(false);
    poller.start();
    timers.advance(300);
    expect(outcomes).toEqual([{ kind: 'timeout', time: 300, attempts: 3 }]);
    expect(poller.stats).toMatchObject({ requestsSent: 0, requestsDropped: 3 });
    poller.stop();
    expect(timers.pendingCount).toBe(0);
  });
});
