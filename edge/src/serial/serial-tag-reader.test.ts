import { concatBytes, fromHex, SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { encodeEm4100Frame } from './em4100.ts';
import { encodeR2000Error, encodeR2000RoundEnd, encodeR2000TagReply } from './r2000.ts';
import {
  defaultTagReaderLimits,
  SerialTagReader,
  type TagRead,
  type TagReaderConfig,
} from './serial-tag-reader.ts';
import { FakePorts, randomChunks } from './serial-test-support.ts';
import { ManualTimers } from './timers.ts';
import { encodeUhfError, encodeUhfFrame, encodeUhfMultiPoll, encodeUhfTagNotification } from './uhf-bb.ts';

const EPC_A = '3074257BF7194E4000001A85';
const EPC_B = '3034257BF40C0E4000003039';

function setup(protocol: TagReaderConfig['protocol']) {
  const ports = new FakePorts();
  const timers = new ManualTimers(1_000_000);
  const reads: TagRead[] = [];
  const errors: number[] = [];
  const reader = new SerialTagReader(
    { path: '/dev/ttyTEST', baudRate: 115200, readerId: 'dock-1', protocol },
    {
      openPort: ports.open,
      timers,
      debounce: { windowMs: 1000, entriesMax: 100 },
      onTagRead: (read) => reads.push(read),
      onReaderError: (code) => errors.push(code),
    },
  );
  reader.start();
  ports.last.events.onOpen();
  const deliver = (bytes: Uint8Array, seed = 1) => {
    for (const chunk of randomChunks(bytes, new SeededRng(seed), 7)) ports.last.events.onData(chunk);
  };
  return { ports, timers, reads, errors, reader, deliver };
}

describe('SerialTagReader', () => {
  it('starts a UHF multi-poll on open, reports each tag once per window, and refreshes the poll', () => {
    const { ports, timers, reads, errors, reader, deliver } = setup('uhf-bb');
    expect(ports.last.written).toEqual([encodeUhfMultiPoll(0xffff)]);
    const round = concatBytes(
      encodeUhfTagNotification({ epcHex: EPC_A, rssiDbm: -50 }),
      encodeUhfTagNotification({ epcHex: EPC_B, rssiDbm: -61 }),
      encodeUhfError(0x15),
    );
    deliver(concatBytes(round, round, round));
    expect(reads).toMatchObject([
      { kind: 'epc', epcHex: EPC_A, pc: 0x3000, rssiDbm: -50, readerId: 'dock-1', time: 1_000_000 },
      { kind: 'epc', epcHex: EPC_B, pc: 0x3000, rssiDbm: -61, readerId: 'dock-1', time: 1_000_000 },
    ]);
    // The EPC is decoded by the shared GS1 module (vectors in shared/vectors/epc.json).
    expect(reads.map((r) => r.kind === 'epc' && r.identity)).toMatchObject([
      { kind: 'sgtin96', idUri: 'urn:epc:id:sgtin:0614141.812345.6789', gtin: '80614141123458' },
      { kind: 'sgtin96', idUri: 'urn:epc:id:sgtin:0614141.012345.12345' },
    ]);
    expect(errors).toEqual([0x15, 0x15, 0x15]);
    timers.advance(1000);
    deliver(round);
    expect(reads).toHaveLength(4);
    timers.advance(defaultTagReaderLimits.inventoryResendMs);
    expect(ports.last.written).toHaveLength(2);
    expect(reader.stats.debounce).toMatchObject({ counted: 4, suppressed: 4 });
  });

  it('drops tags whose own CRC is wrong, and counts them', () => {
    const { reads, reader, deliver } = setup('uhf-bb');
    deliver(encodeUhfFrame(0x02, 0x22, fromHex(`C93000${EPC_A}0000`)));
    expect(reads).toEqual([]);
    expect(reader.stats.badTagCrc).toBe(1);
  });

  it('asks an R2000 for the next round after each round ends, or after a silence', () => {
    const { ports, timers, reads, deliver, reader } = setup('r2000');
    expect(ports.last.written).toHaveLength(1);
    deliver(
      concatBytes(
        encodeR2000TagReply({ address: 1, antenna: 2, epcHex: EPC_A, rssi: 80 }),
        encodeR2000RoundEnd(1, 2, 20, 1),
      ),
    );
    expect(reads).toMatchObject([{ kind: 'epc', epcHex: EPC_A, antenna: 2, rssiDbm: -49 }]);
    timers.advance(defaultTagReaderLimits.inventoryGapMs);
    expect(ports.last.written).toHaveLength(2);
    deliver(encodeR2000Error(1, 0x89, 0x36)); // no tag: the round ends in error
    timers.advance(defaultTagReaderLimits.inventoryGapMs);
    expect(ports.last.written).toHaveLength(3);
    timers.advance(defaultTagReaderLimits.inventoryResendMs);
    expect(ports.last.written).toHaveLength(4);
    expect(reader.stats).toMatchObject({ rounds: 2, readerErrors: 1 });
  });

  it('rescues a frame hidden behind a false start once the line is idle', () => {
    const { timers, reads, deliver, reader } = setup('r2000');
    // A0 FF 01 89 announces a 255-byte frame: the tag reply behind it waits until the line goes quiet.
    deliver(
      concatBytes(
        fromHex('A0FF0189'),
        encodeR2000TagReply({ address: 1, antenna: 0, epcHex: EPC_B, rssi: 70 }),
      ),
    );
    expect(reads).toEqual([]);
    timers.advance(defaultTagReaderLimits.idleFlushMs);
    expect(reads).toMatchObject([{ kind: 'epc', epcHex: EPC_B }]);
    expect(reader.stats.decoder.bytesSkipped).toBe(4);
  });

  it('reports EM4100 cards once while they stay in the field', () => {
    const { timers, reads, deliver } = setup('em4100');
    const frame = encodeEm4100Frame('13005D1DA5', { crlf: true });
    for (let i = 0; i <= 15; i++) {
      deliver(frame, i);
      timers.advance(100);
    }
    expect(reads).toMatchObject([
      { kind: 'em4100', dataHex: '13005D1DA5', cardNumber: '0006102437', time: 1_000_000 },
      { kind: 'em4100', dataHex: '13005D1DA5', time: 1_001_000 },
    ]);
  });

  it('re-sends the inventory command when the port comes back', () => {
    const { ports, timers, reader } = setup('uhf-bb');
    ports.last.events.onClose(new Error('disconnected'));
    expect(reader.linkState).toBe('waiting');
    timers.advance(60_000);
    ports.last.events.onOpen();
    expect(ports.attempts).toHaveLength(2);
    expect(ports.last.written).toEqual([encodeUhfMultiPoll(0xffff)]);
    reader.stop();
    expect(timers.pendingCount).toBe(0);
  });
});
