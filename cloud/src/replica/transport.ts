import type { Rng } from '@suyuan/shared';
import type { ConsensusMessage, ReplicaId } from '../consensus/types.ts';
import { peerClientTls, peerServerTls, type TlsMaterial } from '../ops/tls.ts';
import { encodeFrame, FRAME_HEADER_BYTES, frameInPlace, frameInPlacePieces } from './framing.ts';
import type { HandshakeIdentity } from './handshake.ts';
import { InboundServer } from './inbound-server.ts';
import { OutboundLink, type PeerAddress } from './outbound-link.ts';
import type { QueuedFrame } from './send-queue.ts';
import {
  checkTransportLimits,
  countDrop,
  type DropCounters,
  type TransportLimits,
} from './transport-limits.ts';

export interface MessageCodec {
  encode(message: ConsensusMessage): Uint8Array;
  /** The encoding after `headroomBytes` free bytes, for the frame header (saves copying the frame). */
  encodeWithHeadroom?(message: ConsensusMessage, headroomBytes: number): Uint8Array;
  /** The same bytes as pieces, large request bodies by reference (no ~1 MB copy per pre-prepare). */
  encodePieces?(message: ConsensusMessage, headroomBytes: number): Uint8Array[];
  /** Throws on malformed bytes. */
  decode(bytes: Uint8Array): ConsensusMessage;
}

export interface TransportOptions {
  self: HandshakeIdentity;
  peers: readonly PeerAddress[];
  listenHost: string;
  listenPort: number;
  limits: TransportLimits;
  rng: Rng;
  codec: MessageCodec;
  onMessage(from: ReplicaId, message: ConsensusMessage): void;
  log?: (event: string, detail?: string) => void;
  /** Mutual TLS pinned to the cluster CA on every peer connection; absent: plain TCP. */
  tls?: TlsMaterial;
}

export interface TransportStatus {
  /** Peers we can send to (our dialled, authenticated connection is open). */
  sendingTo: number[];
  /** Peers whose authenticated connection to us is open. */
  receivingFrom: number[];
  queuedFrames: Record<string, number>;
  queuedBytes: Record<string, number>;
  dropped: DropCounters;
}

export interface Transport {
  readonly peerPort: number;
  send(to: ReplicaId | 'all', message: ConsensusMessage): void;
  status(): TransportStatus;
  close(): Promise<void>;
}

/**
 * A message naming a replica must come from that replica's own authenticated connection. Except a
 * NEW-VIEW: it is self-certifying (the core checks the view primary's signature and every view
 * change in it), and any replica forwards it to a peer stuck in an older view. Dropping those as
 * spoofed (and closing the link after `malformedFramesMax` of them) left a healed old primary
 * waiting for the one copy the new primary itself would send.
 */
function claimedSender(message: ConsensusMessage): number | undefined {
  if (message.type === 'newView') return undefined;
  return 'replica' in message ? message.replica : undefined;
}

export async function createTransport(options: TransportOptions): Promise<Transport> {
  const { self, limits, codec } = options;
  checkTransportLimits(limits);
  const dropped: DropCounters = {};
  const log = options.log ?? (() => {});
  const onEvent = (event: string, detail?: string): void => {
    if (event !== 'connected' && event !== 'disconnected') countDrop(dropped, event);
    log(event, detail);
  };
  const inbound = new InboundServer(self, limits, options.tls ? peerServerTls(options.tls) : null, {
    onEvent,
    onFrame(from, frame) {
      let message: ConsensusMessage;
      try {
        message = codec.decode(frame);
      } catch {
        countDrop(dropped, 'malformed');
        return false;
      }
      const claimed = claimedSender(message);
      if (claimed !== undefined && claimed !== from) {
        countDrop(dropped, 'spoofedSender');
        return false;
      }
      options.onMessage(from, message);
      return true;
    },
  });
  const peerPort = await inbound.listen(options.listenHost, options.listenPort);
  const links = new Map<number, OutboundLink>();
  for (const peer of options.peers) {
    if (peer.id === self.id) continue;
    const tls = options.tls ? peerClientTls(options.tls) : null;
    const link = new OutboundLink(peer, self, limits, options.rng.fork(), onEvent, tls);
    links.set(peer.id, link);
    link.start();
  }

  function frameOf(message: ConsensusMessage): QueuedFrame {
    if (codec.encodePieces) {
      const pieces = frameInPlacePieces(
        codec.encodePieces(message, FRAME_HEADER_BYTES),
        limits.frameBytesMax,
      );
      return pieces.length === 1 ? pieces[0]! : pieces;
    }
    return codec.encodeWithHeadroom
      ? frameInPlace(codec.encodeWithHeadroom(message, FRAME_HEADER_BYTES), limits.frameBytesMax)
      : encodeFrame(codec.encode(message), limits.frameBytesMax);
  }

  function send(to: ReplicaId | 'all', message: ConsensusMessage): void {
    const frame = frameOf(message);
    if (to === 'all') for (const link of links.values()) link.send(frame);
    else if (to !== self.id) links.get(to)?.send(frame);
  }

  function status(): TransportStatus {
    const queuedFrames: Record<string, number> = {};
    const queuedBytes: Record<string, number> = {};
    let queueDrops = 0;
    for (const [id, link] of links) {
      queuedFrames[id] = link.queue.length;
      queuedBytes[id] = link.queue.queuedBytes;
      queueDrops += link.queue.dropped;
    }
    return {
      sendingTo: [...links].filter(([, l]) => l.connected).map(([id]) => id),
      receivingFrom: inbound.connectedPeers(),
      queuedFrames,
      queuedBytes,
      dropped: { ...dropped, sendQueueFull: queueDrops },
    };
  }

  async function close(): Promise<void> {
    for (const link of links.values()) link.close();
    await inbound.close();
  }

  return { peerPort, send, status, close };
}
