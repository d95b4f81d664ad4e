import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import type { SerialDevice } from './serial-device.ts';
import type { SimulatedLine } from './simulated-line.ts';

/**
 * Puts a simulated device on a real serial port (a pseudo-terminal in tests and demos): host bytes go to
 * the device, the device's frames go out through the simulated line, and the device's clock ticks
 * every `tickIntervalMs`. When the port goes away the adapter stops; it does not reopen.
 */

export interface DevicePortOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly device: SerialDevice;
  readonly line: SimulatedLine;
  readonly tickIntervalMs?: number;
  readonly now?: () => number;
  readonly onClosed?: (error: Error | undefined) => void;
}

export class SerialDevicePort {
  private readonly port: SerialPortStream;
  private readonly options: DevicePortOptions;
  private readonly now: () => number;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private closedFlag = false;
  bytesWritten = 0;

  private constructor(port: SerialPortStream, options: DevicePortOptions) {
    this.port = port;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  static open(options: DevicePortOptions): Promise<SerialDevicePort> {
    return new Promise((resolve, reject) => {
      const port = new SerialPortStream({
        binding: autoDetect(),
        path: options.path,
        baudRate: options.baudRate,
        autoOpen: false,
      });
      const adapter = new SerialDevicePort(port, options);
      port.open((error) => {
        if (error) return reject(error);
        adapter.attach();
        resolve(adapter);
      });
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.stopped(undefined);
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }

  private attach(): void {
    this.port.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.send(this.options.device.receive(bytes, this.now()));
    });
    this.port.on('close', (error: Error | null) => this.stopped(error ?? undefined));
    this.port.on('error', (error: Error) => {
      this.stopped(error);
      if (this.port.isOpen) this.port.close(() => {});
    });
    this.ticker = setInterval(
      () => this.send(this.options.device.tick(this.now())),
      this.options.tickIntervalMs ?? 20,
    );
  }

  private send(frames: Uint8Array[]): void {
    if (this.closedFlag || frames.length === 0) return;
    for (const chunk of this.options.line.transmit(frames, this.options.device.corrupt)) {
      this.bytesWritten += chunk.length;
      this.port.write(Buffer.from(chunk));
    }
  }

  private stopped(error: Error | undefined): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearInterval(this.ticker);
    this.options.onClosed?.(error);
  }
}
