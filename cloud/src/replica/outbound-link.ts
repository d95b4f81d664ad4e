import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import type { Rng } from '@suyuan/shared';
import { reconnectDelayMs } from './backoff.ts';
import { encodeFrame, FrameDecoder } from './framing.ts';
import { HANDSHAKE_NONCE_BYTES, type HandshakeIdentity, startDial } from './handshake.ts';
import { HEARTBEAT_FRAME, Heartbeat } from './heartbeat.ts';
import { type QueuedFrame, SendQueue } from './send-queue.ts';
import type { TransportLimits } from './transport-limits.ts';

export interface PeerAddress {
  id: number;
  host: string;
  port: number;
}

/**
 * Our sending side towards one peer: dials, authenticates, writes queued frames, and redials with
 * backoff after any failure. Messages flow one way on this connection (we only write consensus
 * frames; the peer answers on its own dialled connection to us), so each direction has one owner.
 * Only heartbeats travel back (`heartbeat.ts`): a peer silent for `peerSilenceMsMax` (a cut cable
 * leaves TCP half-open, with no error for minutes) counts as lost, and we redial.
 */
export class OutboundLink {
  readonly queue: SendQueue;
  connected = false;
  private socket: Socket | null = null;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly peer: PeerAddress;
  private readonly self: HandshakeIdentity;
  private readonly limits: TransportLimits;
  private readonly rng: Rng;
  private readonly onEvent: (event: string, detail?: string) => void;
  private readonly tls: ConnectionOptions | null;

  /** `tls` null: plain TCP (loopback dev). */
  constructor(
    peer: PeerAddress,
    self: HandshakeIdentity,
    limits: TransportLimits,
    rng: Rng,
    onEvent: (event: string, detail?: string) => void,
    tls: ConnectionOptions | null = null,
  ) {
    this.tls = tls;
    this.peer = peer;
    this.self = self;
    this.limits = limits;
    this.rng = rng;
    this.onEvent = onEvent;
    this.queue = new SendQueue(limits);
  }

  start(): void {
    this.dial();
  }

  send(frame: QueuedFrame): void {
    this.queue.push(frame);
    if (this.connected) this.flush();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.destroy();
  }

  private dial(): void {
    if (this.closed) return;
    const { host, port } = this.peer;
    const socket = this.tls
      ? connectTls({ ...this.tls, host, port })
      : connect({ host, port, noDelay: true });
    if (this.tls) socket.setNoDelay(true);
    this.socket = socket;
    const dial = startDial(this.self, this.peer.id, randomBytes(HANDSHAKE_NONCE_BYTES));
    const decoder = new FrameDecoder(this.limits.frameBytesMax);
    const deadline = setTimeout(
      () => socket.destroy(new Error('handshake timeout')),
      this.limits.handshakeTimeoutMs,
    );
    let stage: 'challenge' | 'welcome' | 'open' = 'challenge';
    let tcpUp = false;
    const heartbeat = new Heartbeat(
      this.limits,
      () => socket.write(HEARTBEAT_FRAME),
      () => {
        this.onEvent('peerSilent', String(this.peer.id));
        socket.destroy();
      },
    );
    socket.on('connect', () => {
      tcpUp = true;
      if (!this.tls) socket.write(encodeFrame(dial.hello, this.limits.frameBytesMax));
    });
    socket.on('secureConnect', () => socket.write(encodeFrame(dial.hello, this.limits.frameBytesMax)));
    socket.on('data', (chunk: Buffer) => {
      heartbeat.heard();
      try {
        for (const frame of decoder.push(chunk)) {
          if (stage === 'challenge') {
            socket.write(encodeFrame(dial.answer(frame), this.limits.frameBytesMax));
            stage = 'welcome';
          } else if (stage === 'welcome') {
            clearTimeout(deadline);
            stage = 'open';
            heartbeat.start();
            this.opened();
          }
          // After the welcome the peer writes only heartbeats here: they count as heard, nothing more.
        }
      } catch (error) {
        this.onEvent('handshakeFailed', String(error));
        socket.destroy();
      }
    });
    socket.on('drain', () => this.flush());
    socket.on('error', (error) => {
      // Refused or reset connections are routine while a peer is down; a failed TLS handshake
      // (wrong CA, bad certificate) is a configuration problem the operator must see.
      if (this.tls && tcpUp && stage === 'challenge') this.onEvent('tlsFailed', error.message);
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      heartbeat.stop();
      if (this.socket === socket) this.lost();
    });
  }

  private opened(): void {
    this.connected = true;
    this.failures = 0;
    this.onEvent('connected', String(this.peer.id));
    this.flush();
  }

  private lost(): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = null;
    if (wasConnected) this.onEvent('disconnected', String(this.peer.id));
    if (this.closed) return;
    this.failures++;
    this.timer = setTimeout(() => this.dial(), reconnectDelayMs(this.failures, this.limits, this.rng));
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || !this.connected) return;
    socket.cork();
    while (this.queue.length > 0 && socket.writableLength < this.limits.socketBufferBytesMax) {
      const frame = this.queue.shift()!;
      // Pieces (corked: one writev): the request bodies go to the socket as they are, no copy.
      if (frame instanceof Uint8Array) socket.write(frame);
      else for (const piece of frame) socket.write(piece);
    }
    socket.uncork();
  }
}
