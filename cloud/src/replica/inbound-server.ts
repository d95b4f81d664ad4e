import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { isSuyuanError, utf8 } from '@suyuan/shared';
import { encodeFrame, FrameDecoder } from './framing.ts';
import { HANDSHAKE_NONCE_BYTES, type HandshakeIdentity, startAccept } from './handshake.ts';
import { HEARTBEAT_FRAME, Heartbeat } from './heartbeat.ts';
import type { TransportLimits } from './transport-limits.ts';

export interface InboundHandlers {
  /** A whole frame from authenticated replica `from`. Return false if it was garbage. */
  onFrame(from: number, frame: Buffer): boolean;
  onEvent(event: string, detail?: string): void;
}

const WELCOME = utf8('{"t":"welcome"}');

/**
 * Accepts replica connections: runs the acceptor side of the handshake, then hands every frame to
 * `onFrame` tagged with the authenticated sender. Repeated garbage closes the connection; a newer
 * authenticated connection from the same replica replaces the older one (a restarted peer's old
 * half-open socket would otherwise linger). Open connections carry heartbeats both ways
 * (`heartbeat.ts`): one whose dialer has been silent for `peerSilenceMsMax` is closed.
 */
export class InboundServer {
  private readonly server: Server;
  private readonly byPeer = new Map<number, Socket>();
  private readonly sockets = new Set<Socket>();
  private readonly self: HandshakeIdentity;
  private readonly limits: TransportLimits;
  private readonly handlers: InboundHandlers;

  /** `tls` null: plain TCP (loopback dev). Otherwise a peer must first pass mutual TLS. */
  constructor(
    self: HandshakeIdentity,
    limits: TransportLimits,
    tls: TlsOptions | null,
    handlers: InboundHandlers,
  ) {
    this.self = self;
    this.limits = limits;
    this.handlers = handlers;
    if (tls) {
      const server = createTlsServer({ ...tls, handshakeTimeout: limits.handshakeTimeoutMs }, (socket) => {
        socket.setNoDelay(true);
        this.accept(socket);
      });
      server.on('tlsClientError', (error) => handlers.onEvent('tlsFailed', error.message));
      this.server = server;
    } else {
      this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    }
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  connectedPeers(): number[] {
    return [...this.byPeer.keys()].sort((a, b) => a - b);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const accept = startAccept(this.self, randomBytes(HANDSHAKE_NONCE_BYTES));
    const decoder = new FrameDecoder(this.limits.frameBytesMax);
    const deadline = setTimeout(() => socket.destroy(), this.limits.handshakeTimeoutMs);
    let stage: 'hello' | 'proof' | 'open' = 'hello';
    let peer = -1;
    let garbage = 0;
    const heartbeat = new Heartbeat(
      this.limits,
      () => socket.write(HEARTBEAT_FRAME),
      () => {
        this.handlers.onEvent('peerSilent', String(peer));
        socket.destroy();
      },
    );
    socket.on('data', (chunk: Buffer) => {
      heartbeat.heard();
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch {
        this.handlers.onEvent('oversizedFrame', String(peer));
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (socket.destroyed) return;
        if (stage === 'open') {
          if (frame.length === 0) continue; // a heartbeat
          if (!this.handlers.onFrame(peer, frame) && ++garbage > this.limits.malformedFramesMax) {
            this.handlers.onEvent('closedForGarbage', String(peer));
            socket.destroy();
          }
          continue;
        }
        try {
          if (stage === 'hello') {
            socket.write(encodeFrame(accept.challenge(frame), this.limits.frameBytesMax));
            stage = 'proof';
          } else {
            peer = accept.check(frame);
            stage = 'open';
            clearTimeout(deadline);
            this.byPeer.get(peer)?.destroy();
            this.byPeer.set(peer, socket);
            socket.write(encodeFrame(WELCOME, this.limits.frameBytesMax));
            heartbeat.start();
          }
        } catch (error) {
          this.handlers.onEvent('handshakeFailed', isSuyuanError(error) ? error.message : String(error));
          socket.destroy();
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(deadline);
      heartbeat.stop();
      this.sockets.delete(socket);
      if (this.byPeer.get(peer) === socket) this.byPeer.delete(peer);
    });
  }
}
