import { connect, createServer, type Socket } from 'node:net';
import { domainHash, generateKeyPair, replicaSetId, SeededRng, toHex, utf8 } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../consensus/codec.ts';
import { batchDigestOf } from '../consensus/statements.ts';
import type { ConsensusCrypto, ConsensusMessage } from '../consensus/types.ts';
import { consensusBindings } from './consensus-bindings.ts';
import { encodeFrame, FrameDecoder } from './framing.ts';
import { startAccept, startDial } from './handshake.ts';
import { freePort } from './keygen.ts';
import { createTransport, type MessageCodec, type Transport } from './transport.ts';
import { defaultTransportLimits } from './transport-limits.ts';

// A stand-in codec: JSON of fetchBatches and newView messages only (the transport does not care
// what it carries, beyond the sender a message names).
const codec: MessageCodec = {
  encode: (m) => utf8(JSON.stringify(m)),
  decode: (bytes) => {
    const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as ConsensusMessage;
    if (m.type !== 'fetchBatches' && m.type !== 'newView') throw new Error('malformed');
    return m;
  },
};

const limits = {
  ...defaultTransportLimits,
  reconnectDelayMsMin: 10,
  reconnectDelayMsMax: 50,
  handshakeTimeoutMs: 1000,
};
const open: Transport[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** Short heartbeats, so a silent peer is noticed within the test's bounded waits. */
const quickBeats = { heartbeatIntervalMs: 50, peerSilenceMsMax: 800 };

/**
 * A peer that authenticates and then goes silent without closing, like a host behind a cut cable
 * (TCP half-open): no heartbeats, and it stops reading. Returns every socket it ever accepted.
 */
function silentAcceptor(identity: Parameters<typeof startAccept>[0], port: number): Socket[] {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => {});
    const accept = startAccept(identity, new Uint8Array(32).fill(7));
    const decoder = new FrameDecoder(1 << 20);
    let stage: 'hello' | 'proof' = 'hello';
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (stage === 'hello') {
          socket.write(encodeFrame(accept.challenge(frame), 1 << 20));
          stage = 'proof';
        } else {
          accept.check(frame);
          socket.write(encodeFrame(utf8('{"t":"welcome"}'), 1 << 20));
          socket.pause(); // and never a heartbeat
        }
      }
    });
  });
  server.listen(port, '127.0.0.1');
  cleanups.push(() => {
    for (const socket of accepted) socket.destroy();
    server.close();
  });
  return accepted;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function cluster(n: number, messageCodec: MessageCodec = codec) {
  const keys = Array.from({ length: n }, () => generateKeyPair());
  const publicKeys = keys.map((k) => k.publicKey);
  const ports = await Promise.all(keys.map(() => freePort('127.0.0.1')));
  const peers = ports.map((port, id) => ({ id, host: '127.0.0.1', port }));
  const inbox: { to: number; from: number; message: ConsensusMessage }[] = [];
  const identity = (id: number) => ({
    id,
    privateKey: keys[id]!.privateKey,
    cluster: replicaSetId(publicKeys),
    replicaPublicKeys: publicKeys,
  });
  const start = async (id: number) => {
    const t = await createTransport({
      self: identity(id),
      peers,
      listenHost: '127.0.0.1',
      listenPort: ports[id]!,
      limits,
      rng: new SeededRng(id),
      codec: messageCodec,
      onMessage: (from, message) => inbox.push({ to: id, from, message }),
    });
    open.push(t);
    return t;
  };
  return { keys, publicKeys, ports, inbox, identity, start };
}

const fetch = (replica: number, fromSeq: number): ConsensusMessage => ({
  type: 'fetchBatches',
  fromSeq,
  toSeq: fromSeq,
  replica,
});

describe('replica transport', () => {
  it('authenticates peers, delivers messages tagged with the sender, reconnects after a restart', async () => {
    const c = await cluster(3);
    const [t0, t1] = [await c.start(0), await c.start(1)];
    let t2 = await c.start(2);
    await waitFor(
      () => t0.status().sendingTo.length === 2 && t2.status().sendingTo.length === 2,
      'connections',
    );
    t0.send('all', fetch(0, 1));
    t1.send(2, fetch(1, 2));
    await waitFor(() => c.inbox.length === 3, 'messages');
    expect(
      c.inbox.map((m) => [m.to, m.from, m.message.type === 'fetchBatches' && m.message.fromSeq]).sort(),
    ).toEqual([
      [1, 0, 1],
      [2, 0, 1],
      [2, 1, 2],
    ]);
    await t2.close();
    open.splice(open.indexOf(t2), 1);
    await waitFor(() => !t0.status().sendingTo.includes(2), 'disconnect noticed');
    t0.send(2, fetch(0, 9)); // queued while 2 is down, delivered after it returns
    t2 = await c.start(2);
    await waitFor(
      () => c.inbox.some((m) => m.to === 2 && m.message.type === 'fetchBatches' && m.message.fromSeq === 9),
      'queued message',
    );
  });

  it('sends pre-prepares with large bodies as pieces: the peer decodes the same bytes and digest', async () => {
    const c = await cluster(2, consensusBindings.codec);
    const [t0] = [await c.start(0), await c.start(1)];
    await waitFor(() => t0.status().sendingTo.length === 1, 'connections');
    const rng = new SeededRng(5);
    const sent: ConsensusMessage[] = Array.from({ length: 6 }, (_, seq) => ({
      type: 'prePrepare',
      view: 0,
      seq,
      batchDigest: new Uint8Array(32).fill(seq),
      requests: Array.from({ length: 1 + (seq % 3) }, (_, i) => ({
        submitter: `gw-${seq}-${i}-é`,
        seq: i,
        body: Uint8Array.from({ length: seq % 2 === 0 ? 200_000 + rng.int(99_999) : 900 }, () =>
          rng.int(256),
        ),
      })),
      signature: new Uint8Array(64).fill(7),
    }));
    for (const message of sent) t0.send('all', message);
    await waitFor(() => c.inbox.length === sent.length, 'pre-prepares');
    const digest: ConsensusCrypto['digest'] = (bytes) => domainHash('consensusBatch', bytes);
    const crypto = { digest } as ConsensusCrypto;
    for (const [i, { from, message }] of c.inbox.entries()) {
      expect(from).toBe(0);
      expect(Buffer.from(encodeMessage(message)).equals(Buffer.from(encodeMessage(sent[i]!)))).toBe(true);
      if (message.type !== 'prePrepare' || sent[i]!.type !== 'prePrepare')
        throw new Error('not a pre-prepare');
      expect(toHex(batchDigestOf(crypto, message.requests))).toBe(
        toHex(batchDigestOf(crypto, sent[i]!.requests)),
      );
    }
  });

  it('rejects a peer that claims another replica id, and a spoofed sender field', async () => {
    const c = await cluster(4);
    const t0 = await c.start(0);
    // Replica 3's key, claiming to be replica 1.
    const impostor = startDial({ ...c.identity(3), id: 1 }, 0, new Uint8Array(32));
    const socket = connect({ host: '127.0.0.1', port: c.ports[0]! });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      try {
        socket.write(encodeFrame(impostor.answer(chunk.subarray(4)), 1 << 20));
      } catch {
        socket.destroy();
      }
    });
    socket.write(encodeFrame(impostor.hello, 1 << 20));
    await closed;
    await waitFor(() => (t0.status().dropped.handshakeFailed ?? 0) >= 1, 'handshake failure counted');

    const t1 = await c.start(1);
    await waitFor(() => t1.status().sendingTo.includes(0), 'connection');
    t1.send(0, fetch(2, 5)); // claims to be from replica 2 on replica 1's connection
    t1.send(0, fetch(1, 6));
    // A NEW-VIEW names its primary, not the forwarder: self-certifying, so it passes (the core
    // checks the signature).
    const forwarded: ConsensusMessage = {
      type: 'newView',
      view: 2,
      replica: 2,
      payload: new Uint8Array(0),
      signature: new Uint8Array(0),
    };
    t1.send(0, forwarded);
    await waitFor(() => c.inbox.length === 2, 'genuine messages');
    expect(c.inbox[0]!.message).toMatchObject({ fromSeq: 6 });
    expect(c.inbox[1]).toMatchObject({ from: 1, message: { type: 'newView', replica: 2 } });
    expect(t0.status().dropped.spoofedSender).toBe(1);
  });

  it('counts malformed frames and closes a connection after repeated garbage', async () => {
    const c = await cluster(4);
    const t0 = await c.start(0);
    const t1 = await c.start(1);
    await waitFor(() => t1.status().sendingTo.includes(0), 'connection');
    const garbage = { type: 'prepare' } as unknown as ConsensusMessage; // the test codec refuses it
    for (let i = 0; i <= limits.malformedFramesMax; i++) t1.send(0, garbage);
    await waitFor(() => (t0.status().dropped.closedForGarbage ?? 0) === 1, 'connection closed for garbage');
    expect(t0.status().dropped.malformed).toBe(limits.malformedFramesMax + 1);
    // The sender redials and is accepted again.
    await waitFor(() => t0.status().receivingFrom.includes(1), 'reconnection');
  });

  it('notices a peer that went silent without closing (half-open), and redials it', async () => {
    const c = await cluster(3);
    const accepted = silentAcceptor(c.identity(1), c.ports[1]!);
    const events: string[] = [];
    const t0 = await createTransport({
      self: c.identity(0),
      peers: c.ports.map((port, id) => ({ id, host: '127.0.0.1', port })),
      listenHost: '127.0.0.1',
      listenPort: c.ports[0]!,
      limits: { ...limits, ...quickBeats },
      rng: new SeededRng(0),
      codec,
      onMessage: () => {},
      log: (event, detail) => events.push(`${event} ${detail}`),
    });
    open.push(t0);
    const t2 = await createTransport({
      self: c.identity(2),
      peers: c.ports.map((port, id) => ({ id, host: '127.0.0.1', port })),
      listenHost: '127.0.0.1',
      listenPort: c.ports[2]!,
      limits: { ...limits, ...quickBeats },
      rng: new SeededRng(2),
      codec,
      onMessage: () => {},
      log: (event, detail) => events.push(`${event} ${detail} (at 2)`),
    });
    open.push(t2);
    await waitFor(() => t0.status().sendingTo.includes(1), 'the handshake with the silent peer');
    for (let i = 0; i < 50; i++) t0.send(1, fetch(0, i)); // written into a socket nobody reads
    await waitFor(() => events.includes('peerSilent 1'), 'the silent peer to be noticed');
    await waitFor(() => accepted.length >= 2, 'a redial of the silent peer');
    // The idle but live link to replica 2 was never taken for silent, in either direction.
    expect(events).not.toContain('peerSilent 2');
    expect(events).not.toContain('peerSilent 0 (at 2)');
    expect(t0.status().sendingTo).toContain(2);
    expect(t0.status().receivingFrom).toContain(2);
  });

  it('closes an accepted connection whose dialer went silent without closing', async () => {
    const c = await cluster(2);
    const t0 = await createTransport({
      self: c.identity(0),
      peers: c.ports.map((port, id) => ({ id, host: '127.0.0.1', port })),
      listenHost: '127.0.0.1',
      listenPort: c.ports[0]!,
      limits: { ...limits, ...quickBeats },
      rng: new SeededRng(0),
      codec,
      onMessage: () => {},
    });
    open.push(t0);
    const dial = startDial(c.identity(1), 0, new Uint8Array(32).fill(9));
    const socket = connect({ host: '127.0.0.1', port: c.ports[0]! });
    cleanups.push(() => socket.destroy());
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const decoder = new FrameDecoder(1 << 20);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (answered) continue; // the welcome, then heartbeats we never answer
        socket.write(encodeFrame(dial.answer(frame), 1 << 20));
        answered = true;
      }
    });
    socket.write(encodeFrame(dial.hello, 1 << 20));
    await waitFor(() => t0.status().receivingFrom.includes(1), 'the silent dialer to be accepted');
    await closed;
    await waitFor(() => !t0.status().receivingFrom.includes(1), 'the connection to be forgotten');
    expect(t0.status().dropped.peerSilent).toBe(1);
  });

  it('refuses a silence limit that idle heartbeats could not meet', async () => {
    const c = await cluster(2);
    const start = createTransport({
      self: c.identity(0),
      peers: c.ports.map((port, id) => ({ id, host: '127.0.0.1', port })),
      listenHost: '127.0.0.1',
      listenPort: c.ports[0]!,
      limits: { ...limits, heartbeatIntervalMs: 500, peerSilenceMsMax: 1000 },
      rng: new SeededRng(0),
      codec,
      onMessage: () => {},
    });
    await expect(start).rejects.toThrow(/peerSilenceMsMax/);
  });
});
