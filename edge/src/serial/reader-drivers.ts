import { createEm4100Decoder, type Em4100Frame } from './em4100.ts';
import type { DecoderStats, FrameDecoder, ScannerLimits } from './frame-scanner.ts';
import {
  createR2000Decoder,
  encodeR2000RealTimeInventory,
  type R2000Frame,
  r2000BroadcastAddress,
  r2000Command,
} from './r2000.ts';
import { createUhfDecoder, encodeUhfMultiPoll, type UhfFrame, uhfMultiPollCountMax } from './uhf-bb.ts';

/**
 * What each RFID reader protocol means for the gateway: which command keeps inventory running and which
 * frames are tag sightings. Pure: frames in, outcomes out. The EPC stays hex here; turning an SGTIN-96
 * into GS1 identifiers is the GS1 module's job, downstream.
 */

export type TagReaderProtocol = 'uhf-bb' | 'r2000' | 'em4100';

export type TagSighting =
  | {
      readonly kind: 'epc';
      readonly epcHex: string;
      readonly pc: number;
      readonly rssiDbm: number;
      readonly antenna?: number;
    }
  | { readonly kind: 'em4100'; readonly dataHex: string; readonly cardNumber: string };

export type ReaderOutcome =
  | { readonly kind: 'sighting'; readonly sighting: TagSighting }
  /** An inventory round finished (R2000): time to ask for the next one. `errorCode` if it ended in error. */
  | { readonly kind: 'roundEnd'; readonly errorCode?: number }
  | { readonly kind: 'readerError'; readonly code: number }
  /** The reader forwarded a tag whose own CRC does not match: not a trustworthy read. */
  | { readonly kind: 'badTagCrc'; readonly epcHex: string }
  | { readonly kind: 'other' };

export interface ReaderDriver {
  readonly protocol: TagReaderProtocol;
  /** Bytes that start (or restart) inventory; undefined for readers that send unprompted. */
  inventoryCommand(): Uint8Array | undefined;
  push(chunk: Uint8Array): ReaderOutcome[];
  flush(): ReaderOutcome[];
  readonly decoderStats: Readonly<DecoderStats>;
  readonly bufferedBytes: number;
}

export interface ReaderDriverOptions {
  readonly scanner?: ScannerLimits;
  /** R2000 reader address; 0xFF (broadcast, the default) reaches a reader whatever its address. */
  readonly r2000Address?: number;
}

function driver<F>(
  protocol: TagReaderProtocol,
  decoder: FrameDecoder<F>,
  interpret: (frame: F) => ReaderOutcome,
  inventoryCommand: () => Uint8Array | undefined,
): ReaderDriver {
  return {
    protocol,
    inventoryCommand,
    push: (chunk) => decoder.push(chunk).map(interpret),
    flush: () => decoder.flush().map(interpret),
    get decoderStats() {
      return decoder.stats;
    },
    get bufferedBytes() {
      return decoder.bufferedBytes;
    },
  };
}

function interpretUhf(frame: UhfFrame): ReaderOutcome {
  if (frame.kind === 'error') return { kind: 'readerError', code: frame.code };
  if (frame.kind !== 'tag') return { kind: 'other' };
  if (!frame.tagCrcOk) return { kind: 'badTagCrc', epcHex: frame.epcHex };
  return {
    kind: 'sighting',
    sighting: { kind: 'epc', epcHex: frame.epcHex, pc: frame.pc, rssiDbm: frame.rssiDbm },
  };
}

function interpretR2000(frame: R2000Frame): ReaderOutcome {
  switch (frame.kind) {
    case 'tag':
      return {
        kind: 'sighting',
        sighting: {
          kind: 'epc',
          epcHex: frame.epcHex,
          pc: frame.pc,
          rssiDbm: frame.rssiDbm,
          antenna: frame.antenna,
        },
      };
    case 'roundEnd':
      return { kind: 'roundEnd' };
    case 'error':
      return frame.command === r2000Command.realTimeInventory
        ? { kind: 'roundEnd', errorCode: frame.code }
        : { kind: 'readerError', code: frame.code };
    default:
      return { kind: 'other' };
  }
}

function interpretEm4100(frame: Em4100Frame): ReaderOutcome {
  return {
    kind: 'sighting',
    sighting: { kind: 'em4100', dataHex: frame.dataHex, cardNumber: frame.cardNumber },
  };
}

export function createReaderDriver(
  protocol: TagReaderProtocol,
  options: ReaderDriverOptions = {},
): ReaderDriver {
  switch (protocol) {
    case 'uhf-bb':
      return driver(protocol, createUhfDecoder(options.scanner), interpretUhf, () =>
        encodeUhfMultiPoll(uhfMultiPollCountMax),
      );
    case 'r2000': {
      const address = options.r2000Address ?? r2000BroadcastAddress;
      // Commands may go to the broadcast address, but replies carry the reader's own: filter on it if known.
      const decoderOptions = address === r2000BroadcastAddress ? {} : { address };
      return driver(protocol, createR2000Decoder(options.scanner, decoderOptions), interpretR2000, () =>
        encodeR2000RealTimeInventory(address, 1),
      );
    }
    case 'em4100':
      return driver(protocol, createEm4100Decoder(options.scanner), interpretEm4100, () => undefined);
  }
}
