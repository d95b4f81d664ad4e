import { connect } from 'node:net';
import { generateKeyPair, replicaSetId, SeededRng, utf8 } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsensusMessage } from '../consensus/types.ts';
import { encodeFrame } from './framing.ts';
import { startDial } from './handshake.ts';
import { freePort } from './keygen.ts';
import { createTransport, type MessageCodec, type Transport } from './transport.ts';
import { defaultTransportLimits } from './transport-limits.ts';

// A stand-in codec: JSON of fetchBatches messages only (the transport does not care what it carries).
const codec: MessageCodec = {
  encode: (m) => utf8(JSON.stringify(m)),
  decode: (bytes) => {
    const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as ConsensusMessage;
    if (m.type !== 'fetchBatches') throw new Error('malformed');
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
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function cluster(n: number) {
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
      codec,
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
    await waitFor(() => c.inbox.length === 1, 'genuine message');
    expect(c.inbox[0]!.message).toMatchObject({ fromSeq: 6 });
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
});
