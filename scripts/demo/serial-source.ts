import type { IngestSink, IngestSource } from '../../edge/src/ingest/ingest-source.ts';
import {
  openNodeSerialPort,
  SerialSoilProbe,
  SerialTagReader,
  type SoilProbeOutcome,
  type TagRead,
} from '../../edge/src/serial/index.ts';

/**
 * Glue until the gateway's config names serial ports: an IngestSource that runs an RFID reader
 * (UHF `0xBB` frames) and a Modbus soil probe on given paths and feeds tag reads and probe readings
 * into the gateway's durable ingest. Inputs refused while the outbox is full are dropped and counted
 * here (a probe is polled again at its next interval; a tag is read again on the next round).
 */
export interface SerialPorts {
  rfidPath: string | null;
  probePath: string | null;
  readerId: string;
  probeDeviceId: string;
}

export const probePollIntervalMs = 5000;

export class SerialDemoSource implements IngestSource {
  readonly name = 'serial-demo';
  private readonly ports: SerialPorts;
  private reader: SerialTagReader | null = null;
  private probe: SerialSoilProbe | null = null;
  refused = 0;

  constructor(ports: SerialPorts) {
    this.ports = ports;
  }

  start(sink: IngestSink): void {
    const { rfidPath, probePath } = this.ports;
    const refuse = () => {
      this.refused++;
    };
    if (rfidPath) {
      this.reader = new SerialTagReader(
        { path: rfidPath, baudRate: 115200, readerId: this.ports.readerId, protocol: 'uhf-bb' },
        {
          openPort: openNodeSerialPort,
          onTagRead: (read: TagRead) => {
            if (read.kind !== 'epc') return;
            sink
              .tagRead({
                readerId: read.readerId,
                epc: read.epcHex.toUpperCase(),
                timeMs: read.time,
                rssi: read.rssiDbm,
                ...(read.antenna === undefined ? {} : { antenna: read.antenna }),
              })
              .catch(refuse);
          },
        },
      );
      this.reader.start();
    }
    if (probePath) {
      this.probe = new SerialSoilProbe(
        { path: probePath, baudRate: 4800, deviceId: this.ports.probeDeviceId, slave: 1 },
        {
          openPort: openNodeSerialPort,
          poll: { pollIntervalMs: probePollIntervalMs, responseTimeoutMs: 1000, retriesMax: 2 },
          onOutcome: (outcome: SoilProbeOutcome) => {
            if (outcome.kind !== 'readings' || outcome.measurements.length === 0) return;
            const readings = outcome.measurements.map((m) => ({
              type: m.type,
              value: m.value,
              uom: m.uom,
              time: outcome.time,
            }));
            sink.gatewayReadings(outcome.deviceId, readings).catch(refuse);
          },
        },
      );
      this.probe.start();
    }
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
    await this.probe?.stop();
  }
}
