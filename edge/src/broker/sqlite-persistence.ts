import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { Db } from '../gateway/database.ts';

/**
 * A durable aedes persistence: aedes-persistence's in-memory implementation stays the index (its
 * subscription trie and queues answer every lookup), and every change is written through to SQLite
 * before the promise resolves. At setup the SQLite state is replayed into memory, so persistent
 * sessions (clean=false subscriptions, queued QoS 1/2 messages for offline clients, retained
 * messages, wills, inbound QoS 2 state) survive a gateway restart or crash. No maintained SQLite
 * persistence for aedes 1.x exists; the async interface is small enough to cover here.
 */

type Packet = Record<string, unknown> & {
  topic: string;
  payload: Buffer;
  messageId?: number;
  brokerId?: string;
};
interface ClientRef {
  id: string;
}
interface Sub {
  topic: string;
  qos: number;
  rh?: number;
  rap?: number;
  nl?: boolean;
}

interface MemoryPersistence {
  setup(broker: { id: string }): Promise<void>;
  storeRetained(packet: Packet): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
  addSubscriptions(client: ClientRef, subs: Sub[]): Promise<void>;
  removeSubscriptions(client: ClientRef, topics: string[]): Promise<void>;
  subscriptionsByClient(client: ClientRef): Promise<Sub[]>;
  countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
  subscriptionsByTopic(pattern: string): Promise<unknown[]>;
  cleanSubscriptions(client: ClientRef): Promise<void>;
  outgoingEnqueue(sub: { clientId: string }, packet: Packet): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: Packet): Promise<void>;
  outgoingUpdate(client: ClientRef, packet: Packet): Promise<void>;
  outgoingClearMessageId(client: ClientRef, packet: Packet): Promise<Packet | undefined>;
  outgoingStream(client: ClientRef): Readable;
  incomingStorePacket(client: ClientRef, packet: Packet): Promise<void>;
  incomingGetPacket(client: ClientRef, packet: Packet): Promise<Packet>;
  incomingDelPacket(client: ClientRef, packet: Packet): Promise<void>;
  cleanIncoming(client: ClientRef): Promise<void>;
  putWill(client: ClientRef, packet: Packet): Promise<void>;
  getWill(client: ClientRef): Promise<Packet | undefined>;
  delWill(client: ClientRef): Promise<Packet | undefined>;
  streamWill(brokers?: Record<string, unknown>): Readable;
  getClientList(topic: string): Readable;
  destroy(): Promise<void>;
}

const require = createRequire(import.meta.url);
const MemoryPersistenceClass =
  require('aedes-persistence/asyncPersistence.js') as new () => MemoryPersistence;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS broker_subscription (client_id TEXT NOT NULL, topic TEXT NOT NULL, sub TEXT NOT NULL,
  PRIMARY KEY (client_id, topic));
CREATE TABLE IF NOT EXISTS broker_outgoing (client_id TEXT NOT NULL, pos INTEGER NOT NULL, packet TEXT NOT NULL,
  PRIMARY KEY (client_id, pos));
CREATE TABLE IF NOT EXISTS broker_incoming (client_id TEXT NOT NULL, message_id INTEGER NOT NULL, packet TEXT NOT NULL,
  PRIMARY KEY (client_id, message_id));
CREATE TABLE IF NOT EXISTS broker_will (client_id TEXT PRIMARY KEY, packet TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS broker_retained (topic TEXT PRIMARY KEY, packet TEXT NOT NULL);
`;

function packetToText(packet: Packet): string {
  return JSON.stringify({ ...packet, payload: Buffer.from(packet.payload ?? []).toString('base64') });
}

function packetFromText(text: string): Packet {
  const raw = JSON.parse(text) as Packet & { payload: string };
  return { ...raw, payload: Buffer.from(raw.payload, 'base64') };
}

async function drain(stream: Readable): Promise<Packet[]> {
  const out: Packet[] = [];
  for await (const p of stream) out.push(p as Packet);
  return out;
}

export class SqlitePersistence {
  private readonly memory = new MemoryPersistenceClass();
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    db.exec(SCHEMA);
  }

  async setup(broker: { id: string }): Promise<void> {
    await this.memory.setup(broker);
    await this.restore();
  }

  private async restore(): Promise<void> {
    const subs = this.db.prepare('SELECT client_id, sub FROM broker_subscription').all() as {
      client_id: string;
      sub: string;
    }[];
    const byClient = new Map<string, Sub[]>();
    for (const row of subs)
      byClient.set(row.client_id, [...(byClient.get(row.client_id) ?? []), JSON.parse(row.sub)]);
    for (const [id, list] of byClient) await this.memory.addSubscriptions({ id }, list);
    const outgoing = this.db
      .prepare('SELECT client_id, packet FROM broker_outgoing ORDER BY client_id, pos')
      .all() as {
      client_id: string;
      packet: string;
    }[];
    for (const row of outgoing)
      await this.memory.outgoingEnqueue({ clientId: row.client_id }, packetFromText(row.packet));
    const incoming = this.db.prepare('SELECT client_id, packet FROM broker_incoming').all() as {
      client_id: string;
      packet: string;
    }[];
    for (const row of incoming)
      await this.memory.incomingStorePacket({ id: row.client_id }, packetFromText(row.packet));
    const wills = this.db.prepare('SELECT client_id, packet FROM broker_will').all() as {
      client_id: string;
      packet: string;
    }[];
    for (const row of wills) {
      const will = packetFromText(row.packet);
      const brokerId = will.brokerId;
      await this.memory.putWill({ id: row.client_id }, will);
      if (brokerId !== undefined) will.brokerId = brokerId; // putWill stamps the live broker; the will belongs to the one that died
    }
    const retained = this.db.prepare('SELECT packet FROM broker_retained').all() as { packet: string }[];
    for (const row of retained) await this.memory.storeRetained(packetFromText(row.packet));
  }

  async storeRetained(packet: Packet): Promise<void> {
    await this.memory.storeRetained(packet);
    if (packet.payload.length === 0)
      this.db.prepare('DELETE FROM broker_retained WHERE topic = ?').run(packet.topic);
    else
      this.db
        .prepare('INSERT OR REPLACE INTO broker_retained (topic, packet) VALUES (?, ?)')
        .run(packet.topic, packetToText(packet));
  }

  createRetainedStream(pattern: string): Readable {
    return this.memory.createRetainedStream(pattern);
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    return this.memory.createRetainedStreamCombi(patterns);
  }

  async addSubscriptions(client: ClientRef, subs: Sub[]): Promise<void> {
    await this.memory.addSubscriptions(client, subs);
    const put = this.db.prepare(
      'INSERT OR REPLACE INTO broker_subscription (client_id, topic, sub) VALUES (?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const s of subs) put.run(client.id, s.topic, JSON.stringify(s));
    })();
  }

  async removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    await this.memory.removeSubscriptions(client, topics);
    const del = this.db.prepare('DELETE FROM broker_subscription WHERE client_id = ? AND topic = ?');
    this.db.transaction(() => {
      for (const t of topics) del.run(client.id, t);
    })();
  }

  subscriptionsByClient(client: ClientRef): Promise<Sub[]> {
    return this.memory.subscriptionsByClient(client);
  }

  countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return this.memory.countOffline();
  }

  subscriptionsByTopic(pattern: string): Promise<unknown[]> {
    return this.memory.subscriptionsByTopic(pattern);
  }

  async cleanSubscriptions(client: ClientRef): Promise<void> {
    await this.memory.cleanSubscriptions(client);
    this.db.prepare('DELETE FROM broker_subscription WHERE client_id = ?').run(client.id);
  }

  /** Rewrites one client's queue; queues of device sessions are short, so this stays cheap. */
  private async saveOutgoing(clientId: string): Promise<void> {
    const queue = await drain(this.memory.outgoingStream({ id: clientId }));
    const put = this.db.prepare('INSERT INTO broker_outgoing (client_id, pos, packet) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM broker_outgoing WHERE client_id = ?').run(clientId);
      queue.forEach((p, i) => {
        put.run(clientId, i, packetToText(p));
      });
    })();
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: Packet): Promise<void> {
    await this.memory.outgoingEnqueue(sub, packet);
    await this.saveOutgoing(sub.clientId);
  }

  async outgoingEnqueueCombi(subs: { clientId: string }[], packet: Packet): Promise<void> {
    if (subs.length === 0) return;
    await this.memory.outgoingEnqueueCombi(subs, packet);
    for (const clientId of new Set(subs.map((s) => s.clientId))) await this.saveOutgoing(clientId);
  }

  async outgoingUpdate(client: ClientRef, packet: Packet): Promise<void> {
    await this.memory.outgoingUpdate(client, packet);
    await this.saveOutgoing(client.id);
  }

  async outgoingClearMessageId(client: ClientRef, packet: Packet): Promise<Packet | undefined> {
    const cleared = await this.memory.outgoingClearMessageId(client, packet);
    await this.saveOutgoing(client.id);
    return cleared;
  }

  outgoingStream(client: ClientRef): Readable {
    return this.memory.outgoingStream(client);
  }

  async incomingStorePacket(client: ClientRef, packet: Packet): Promise<void> {
    await this.memory.incomingStorePacket(client, packet);
    this.db
      .prepare('INSERT OR REPLACE INTO broker_incoming (client_id, message_id, packet) VALUES (?, ?, ?)')
      .run(client.id, packet.messageId, packetToText(packet));
  }

  incomingGetPacket(client: ClientRef, packet: Packet): Promise<Packet> {
    return this.memory.incomingGetPacket(client, packet);
  }

  async incomingDelPacket(client: ClientRef, packet: Packet): Promise<void> {
    await this.memory.incomingDelPacket(client, packet);
    this.db
      .prepare('DELETE FROM broker_incoming WHERE client_id = ? AND message_id = ?')
      .run(client.id, packet.messageId);
  }

  async cleanIncoming(client: ClientRef): Promise<void> {
    await this.memory.cleanIncoming(client);
    this.db.prepare('DELETE FROM broker_incoming WHERE client_id = ?').run(client.id);
  }

  async putWill(client: ClientRef, packet: Packet): Promise<void> {
    await this.memory.putWill(client, packet);
    this.db
      .prepare('INSERT OR REPLACE INTO broker_will (client_id, packet) VALUES (?, ?)')
      .run(client.id, packetToText(packet));
  }

  getWill(client: ClientRef): Promise<Packet | undefined> {
    return this.memory.getWill(client);
  }

  async delWill(client: ClientRef): Promise<Packet | undefined> {
    const will = await this.memory.delWill(client);
    this.db.prepare('DELETE FROM broker_will WHERE client_id = ?').run(client.id);
    return will;
  }

  streamWill(brokers?: Record<string, unknown>): Readable {
    return this.memory.streamWill(brokers);
  }

  getClientList(topic: string): Readable {
    return this.memory.getClientList(topic);
  }

  async destroy(): Promise<void> {
    await this.memory.destroy();
  }
}
