import { connect, createServer, type Socket } from 'node:net';
import { decodeMessage, encodeMessage } from '@suyuan/cloud/consensus/codec';
import { createConsensusCrypto } from '@suyuan/cloud/consensus/crypto';
import type { ConsensusMessage } from '@suyuan/cloud/consensus/types';
import { type Ed25519KeyPair, generateKeyPair, sign, verify } from '@suyuan/shared';
import { countedCrypto } from './counting-crypto.ts';
import { drive } from './driver.ts';
import { flatTopology } from './flat.ts';

/** The cost-model constants, measured on this machine in the run that uses them. */
export interface MeasuredConstants {
  signPerS: number;
  verifyPerS: number;
  signUs: number;
  verifyUs: number;
  /** Encoding one consensus message, by message type (`other`: the mean of the run). */
  encodeUs: Record<string, number>;
  /** Decoding one message plus the core's step on it, crypto excluded, by message type. */
  receiveUs: Record<string, number>;
  /** The core's step per message (the run's CPU left after crypto and codec), in receiveUs. */
  stepUs: number;
  /** CPU per client request at the node it is proposed to (checks, queueing; no Ed25519 here). */
  proposeUsPerRequest: number;
  /** Everything a message costs at n = calibrationN with real Ed25519, for reference. */
  allInPerMessageUs: number;
  calibration: {
    n: number;
    batches: number;
    messages: number;
    signs: number;
    verifies: number;
    cpuMs: number;
  };
  loopback: { roundTrips: number; rttUsP50: number; rttUsP99: number; oneWayUs: number };
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

/** Repeats `op` until it has used `cpuMsMin` of CPU; returns µs per call. */
function perCallUs(op: () => void, cpuMsMin: number): number {
  for (let i = 0; i < 50; i++) op(); // warm-up
  const start = process.cpuUsage();
  let calls = 0;
  while (cpuUs(start) < cpuMsMin * 1000) {
    for (let i = 0; i < 50; i++) op();
    calls += 50;
  }
  return cpuUs(start) / calls;
}

export function measureCrypto(cpuMsMin: number): { signUs: number; verifyUs: number } {
  const { privateKey, publicKey } = generateKeyPair();
  // A vote statement is ~80 bytes (domain, view, seq, 32-byte digest).
  const message = new Uint8Array(80).fill(7);
  const signature = sign(privateKey, message);
  const signUs = perCallUs(() => sign(privateKey, message), cpuMsMin);
  const verifyUs = perCallUs(() => {
    if (!verify(publicKey, message, signature)) throw new Error('verify failed');
  }, cpuMsMin);
  return { signUs, verifyUs };
}

/**
 * Calibration size: at n = 16 vote handling dominates, as it does at the sizes modelled (at n = 4 the
 * per-batch work — request checks, certificates — is spread over only 36 messages per batch).
 */
const calibrationN = 16;

/** The flat core at n = calibrationN with real Ed25519 and the real codec, every sent message recorded. */
function calibrationRun(
  keys: readonly Ed25519KeyPair[],
  batches: number,
  record: (m: ConsensusMessage) => void,
) {
  const publicKeys = keys.map((k) => k.publicKey);
  return drive({
    topology: flatTopology(keys.length, 32, publicKeys),
    cryptoFor: (id, counts) =>
      countedCrypto(
        createConsensusCrypto({
          privateKey: keys[id]!.privateKey,
          replicaPublicKeys: publicKeys,
          verifyRequest: () => true,
        }),
        counts,
      ),
    costs: { signUs: 0, verifyUs: 0, encodeUs: {}, receiveUs: {}, latencyUs: 50, tickUs: 10_000 },
    batches,
    requestsPerBatch: 32,
    requestBytes: 256,
    codec: true,
    eventsMax: 1_000_000,
    record,
    timeCpu: true,
  });
}

/**
 * Splits the CPU time of a calibration run: crypto (priced by the measured rates), encoding, and the
 * rest (decode + the core's step), per message.
 */
export function measureMessageCosts(crypto: { signUs: number; verifyUs: number }, batches: number) {
  const keys = Array.from({ length: calibrationN }, () => generateKeyPair());
  // Warm-up with the same keys: JIT the core and codec, and fill the verifier's validated-key cache.
  calibrationRun(keys, batches, () => {});
  const recorded: ConsensusMessage[] = [];
  const result = calibrationRun(keys, batches, (m) => recorded.push(m));
  const delivered = result.timing.deliver;
  if (!result.complete) throw new Error('calibration run did not commit every batch');
  const messages = recorded.length;
  const { signs, verifies } = delivered;
  const byType = new Map<string, ConsensusMessage[]>();
  for (const m of recorded) byType.set(m.type, [...(byType.get(m.type) ?? []), m]);
  const encodeUs: Record<string, number> = {};
  const decodeUs: Record<string, number> = {};
  let codecTotalUs = 0;
  for (const [type, messages] of [...byType, ['other', recorded] as const]) {
    const rounds = Math.max(1, Math.ceil(2000 / messages.length)); // enough calls to time
    const encodeStart = process.cpuUsage();
    let encoded: Uint8Array[] = [];
    for (let r = 0; r < rounds; r++) encoded = messages.map((m) => encodeMessage(m));
    encodeUs[type] = cpuUs(encodeStart) / (rounds * messages.length);
    const decodeStart = process.cpuUsage();
    for (let r = 0; r < rounds; r++) for (const bytes of encoded) decodeMessage(bytes);
    decodeUs[type] = cpuUs(decodeStart) / (rounds * messages.length);
    if (type !== 'other') codecTotalUs += messages.length * (encodeUs[type]! + decodeUs[type]!);
  }
  const cryptoUs = signs * crypto.signUs + verifies * crypto.verifyUs;
  // Each delivery encoded and decoded its message once, verified and signed what it had to; what is
  // left of its CPU time is the core's own step (and the driver's bookkeeping, a small overcount).
  const stepUs = Math.max(0, (delivered.cpuUs - cryptoUs - codecTotalUs) / messages);
  const totalUs = delivered.cpuUs;
  const receiveUs = Object.fromEntries(Object.entries(decodeUs).map(([t, us]) => [t, us + stepUs]));
  return {
    encodeUs,
    receiveUs,
    stepUs,
    allInPerMessageUs: totalUs / messages,
    proposeUsPerRequest: result.timing.propose.cpuUs / result.timing.propose.events,
    calibration: { n: calibrationN, batches, messages, signs, verifies, cpuMs: totalUs / 1000 },
  };
}

/** Ping-pong of 64-byte frames over a real loopback TCP connection (port 0, Nagle off). */
export async function measureLoopback(roundTrips: number): Promise<MeasuredConstants['loopback']> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const client: Socket = connect(address.port, '127.0.0.1');
  client.setNoDelay(true);
  await new Promise<void>((r) => client.once('connect', () => r()));
  const frame = Buffer.alloc(64, 1);
  const rtts: number[] = [];
  const warmUp = Math.min(200, roundTrips);
  try {
    for (let i = 0; i < warmUp + roundTrips; i++) {
      const began = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        let got = 0;
        const onData = (chunk: Buffer) => {
          got += chunk.length;
          if (got >= frame.length) {
            client.off('data', onData);
            resolve();
          }
        };
        client.on('data', onData);
        client.write(frame);
      });
      if (i >= warmUp) rtts.push(Number(process.hrtime.bigint() - began) / 1000);
    }
  } finally {
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
  rtts.sort((a, b) => a - b);
  const at = (p: number) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))]!;
  return { roundTrips, rttUsP50: at(0.5), rttUsP99: at(0.99), oneWayUs: at(0.5) / 2 };
}

export async function measureConstants(quick: boolean): Promise<MeasuredConstants> {
  const crypto = measureCrypto(quick ? 200 : 1500);
  const messages = measureMessageCosts(crypto, quick ? 2 : 8);
  const loopback = await measureLoopback(quick ? 500 : 5000);
  return {
    signPerS: Math.round(1e6 / crypto.signUs),
    verifyPerS: Math.round(1e6 / crypto.verifyUs),
    ...crypto,
    ...messages,
    loopback,
  };
}
