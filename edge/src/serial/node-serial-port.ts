import { existsSync } from 'node:fs';
import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import type { OpenedPort, PortEvents, PortOpener, SerialPortConfig } from './serial-link.ts';

/**
 * The real port: node-serialport's stream over the native bindings (a tty, a USB adapter or a
 * pseudo-terminal). It turns the stream's events into the `PortEvents` contract: one onOpen or one
 * onClose for a failed open, data, then exactly one onClose (disconnects arrive as a close with an error,
 * write failures as an error event).
 */
export const openNodeSerialPort: PortOpener = (config: SerialPortConfig, events: PortEvents): OpenedPort => {
  let finished = false;
  let abandoned = false;
  const port = new SerialPortStream({
    binding: autoDetect(),
    path: config.path,
    baudRate: config.baudRate,
    autoOpen: false,
  });
  const finish = (error: Error | undefined) => {
    if (finished) return;
    finished = true;
    if (port.isOpen) port.close(() => {});
    if (!abandoned) events.onClose(error);
  };
  port.on('data', (chunk: Buffer) => {
    if (!finished) events.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  port.on('close', (error: Error | null) => finish(error ?? undefined));
  port.on('error', (error: Error) => finish(error));
  port.open((error) => {
    if (error) return finish(error);
    if (abandoned) return port.close(() => {});
    events.onOpen();
  });
  return {
    write(bytes) {
      if (finished) return;
      port.write(Buffer.from(bytes), (error) => {
        if (error) finish(error);
      });
    },
    close() {
      abandoned = true;
      finish(undefined);
    },
  };
};

export function devicePathExists(path: string): boolean {
  return existsSync(path);
}
