import type { IngestSink, IngestSource, TagReadInput } from '../ingest/ingest-source.ts';
import {
  SerialTagReader,
  type TagRead,
  type TagReaderConfig,
  type TagReaderOptions,
} from './serial-tag-reader.ts';

/**
 * An RFID reader on a serial port as a gateway ingest source: every debounced read goes into the
 * durable ingest (the `tag_read` table, and an EPCIS OBSERVE event when the reader has a read point;
 * see ingest/tag-events.ts). A read refused while the outbox is full is counted and dropped here: the
 * tag is still in the field and is read again once the debounce window passes.
 */
export class SerialTagSource implements IngestSource {
  readonly name: string;
  private readonly config: TagReaderConfig;
  private readonly options: Omit<TagReaderOptions, 'onTagRead'>;
  private reader: SerialTagReader | null = null;
  refused = 0;
  delivered = 0;

  constructor(config: TagReaderConfig, options: Omit<TagReaderOptions, 'onTagRead'>) {
    this.name = `rfid:${config.readerId}`;
    this.config = config;
    this.options = options;
  }

  start(sink: IngestSink): void {
    this.reader = new SerialTagReader(this.config, {
      ...this.options,
      onTagRead: (read) => {
        sink.tagRead(tagReadInput(read)).then(
          () => {
            this.delivered++;
          },
          () => {
            this.refused++;
          },
        );
      },
    });
    this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
    this.reader = null;
  }
}

/** EPC reads keep their hex EPC; EM4100 cards their 5 data bytes as hex (no GS1 identity). */
export function tagReadInput(read: TagRead): TagReadInput {
  const base = { readerId: read.readerId, timeMs: read.time };
  if (read.kind === 'em4100') return { ...base, epc: read.dataHex.toUpperCase() };
  return {
    ...base,
    epc: read.epcHex.toUpperCase(),
    rssi: read.rssiDbm,
    ...(read.antenna === undefined ? {} : { antenna: read.antenna }),
  };
}
