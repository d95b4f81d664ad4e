/**
 * How inputs reach the gateway's durable ingest. The MQTT broker feeds device messages; the serial
 * side (RFID readers, Modbus soil probes) implements `IngestSource` and feeds gateway-measured
 * readings and tag reads. Every call resolves only after its input is committed to SQLite (or was
 * quarantined there), so a source may acknowledge or forget its input once the promise resolves.
 * A rejection with a `LimitError` means the outbox is full: keep the input and offer it again later.
 */

/** A reading measured by a probe the gateway polls itself; the gateway numbers it. */
export interface GatewayReadingInput {
  type: string;
  value: number;
  uom: string;
  /** When it was measured, ms since the epoch. */
  time: number;
}

export interface TagReadInput {
  readerId: string;
  /** EPC (or EM4100 id) as upper-case hex. */
  epc: string;
  timeMs: number;
  rssi?: number;
  antenna?: number;
}

export interface DeviceMessageInput {
  deviceId: string;
  /** Where it came from, for the quarantine record (`mqtt`, `mqtt-external`...). */
  source: string;
  payload: Uint8Array | string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  quarantined: number;
}

export interface IngestSink {
  deviceMessage(message: DeviceMessageInput): Promise<IngestResult>;
  gatewayReadings(deviceId: string, readings: readonly GatewayReadingInput[]): Promise<IngestResult>;
  tagRead(read: TagReadInput): Promise<void>;
}

export interface IngestSource {
  readonly name: string;
  start(sink: IngestSink): void | Promise<void>;
  stop(): void | Promise<void>;
}
