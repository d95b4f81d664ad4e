import type { Clock, Ed25519KeyPair, JsonValue, RegistryAction } from '@suyuan/shared';
import { limits, publicKeyToText } from '@suyuan/shared';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { sealSubmission } from '../outbox/seal.ts';
import type { Db } from './database.ts';

/**
 * Business payloads (EPCIS events, registry actions) signed by the gateway key and queued in the
 * outbox as critical entries: they may use the outbox's reserve beyond the readings limit, so a
 * telemetry backlog never blocks a harvest record. One submission per call (≤ 256 payloads).
 */
export function queueSignedPayloads(
  db: Db,
  outbox: OutboxStore,
  key: Ed25519KeyPair,
  clock: Clock,
  kind: 'event' | 'registry',
  payloads: readonly JsonValue[],
): number {
  if (payloads.length === 0 || payloads.length > limits.submissionPayloadsMax) {
    throw new RangeError(
      `1..${limits.submissionPayloadsMax} payloads per submission, got ${payloads.length}`,
    );
  }
  return db.transaction(() => {
    const seq = outbox.allocateSeq();
    const { body, header } = sealSubmission(key, seq, clock.now(), payloads);
    outbox.append([
      { seq, kind, body, header: JSON.stringify(header), payloadCount: payloads.length, critical: true },
    ]);
    return seq;
  })();
}

/** The registry actions that enroll this gateway: its key for the participant, then its devices. */
export function enrollmentActions(
  participantId: string,
  key: Ed25519KeyPair,
  deviceIds: readonly string[],
): { addKey: RegistryAction; bindDevices: RegistryAction[] } {
  return {
    addKey: { type: 'addKey', participantId, publicKey: publicKeyToText(key.publicKey) },
    bindDevices: deviceIds.map((deviceId) => ({ type: 'bindDevice', deviceId, gateway: key.keyId })),
  };
}
