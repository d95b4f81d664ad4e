import { Duplex, Transform, type TransformCallback } from 'node:stream';
import { LimitError } from '@suyuan/shared';

/**
 * aedes has no packet-size limit: its parser buffers a whole packet before anyone sees it, so a
 * client announcing a 256 MB PUBLISH could make the broker hold 256 MB. This guard sits between the
 * socket and aedes, follows MQTT framing (fixed header byte, 1-4 byte remaining length, body) and
 * destroys the connection as soon as a header announces more than `packetBytesMax`. Bytes pass
 * through unchanged; nothing is copied.
 */
export class PacketSizeGuard extends Transform {
  private readonly packetBytesMax: number;
  /** Body bytes still to skip in the current packet. */
  private remaining = 0;
  /** Where we are in a fixed header: -1 before the type byte, else how many length bytes read. */
  private headerStep = -1;
  private length = 0;
  private multiplier = 1;

  constructor(packetBytesMax: number) {
    super();
    this.packetBytesMax = packetBytesMax;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const error = this.scan(chunk);
    if (error) {
      callback(error);
      return;
    }
    callback(null, chunk);
  }

  private scan(chunk: Buffer): Error | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.headerStep === -1) {
        this.headerStep = 0;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.headerStep++;
      if (this.length > this.packetBytesMax)
        return new LimitError('packetBytesMax', this.packetBytesMax, this.length);
      if ((byte & 0x80) === 0) {
        this.remaining = this.length;
        this.headerStep = -1;
      } else if (this.headerStep >= 4) {
        return new Error('malformed MQTT remaining length');
      }
    }
    return null;
  }
}

/** The socket as aedes should see it: reads through the guard, writes straight to the socket. */
export function guardedConnection(socket: Duplex, packetBytesMax: number): Duplex {
  const guard = new PacketSizeGuard(packetBytesMax);
  socket.pipe(guard);
  const conn = Duplex.from({ readable: guard, writable: socket });
  guard.on('error', () => {
    socket.destroy();
    conn.destroy();
  });
  socket.on('close', () => conn.destroy());
  socket.on('error', () => conn.destroy());
  return conn;
}
