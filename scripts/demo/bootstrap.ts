import { fromBase64Url, keyIdOf, type Payload, toBase64Url } from '../../shared/src/index.ts';
import type { CloudClient } from './cloud-client.ts';
import { type Party, type PartyName, partySpecs } from './parties.ts';
import { pollUntil } from './wait.ts';

/**
 * Registry set-up through the API, idempotent: the genesis administrator registers every
 * organisation that is missing; the cooperative adds its gateway's key. Device bindings are signed
 * by the gateway itself (`suyuan-edge enroll --submit`) and waited for separately.
 */
interface ParticipantView {
  id: string;
  keys: { keyId: string; devices: string[] }[];
}

const registerPayload = (p: Party): Payload =>
  ({
    kind: 'registry',
    action: {
      type: 'registerParticipant',
      participant: {
        id: p.id,
        name: p.display,
        roles: [...p.roles],
        publicKey: toBase64Url(p.key.publicKey),
      },
    },
  }) as unknown as Payload;

export async function participant(client: CloudClient, id: string): Promise<ParticipantView | null> {
  const { status, body } = await client.getJson<ParticipantView>(
    `/v1/participants/${encodeURIComponent(id)}`,
  );
  return status === 200 ? body : null;
}

export async function registerParties(
  client: CloudClient,
  parties: Record<PartyName, Party>,
): Promise<number> {
  const missing: Party[] = [];
  for (const spec of partySpecs) {
    if (spec.name === 'admin') continue;
    if (!(await participant(client, parties[spec.name].id))) missing.push(parties[spec.name]);
  }
  if (missing.length > 0)
    await client.commit(
      parties.admin,
      missing.map(registerPayload),
      `registering ${missing.length} organisations`,
    );
  return missing.length;
}

export async function addGatewayKey(
  client: CloudClient,
  coop: Party,
  gatewayPublicKey: string,
): Promise<string> {
  const gatewayKeyId = keyIdOf(fromBase64Url(gatewayPublicKey, 'gateway key'));
  const view = await participant(client, coop.id);
  if (!view?.keys.some((k) => k.keyId === gatewayKeyId)) {
    const payload = {
      kind: 'registry',
      action: { type: 'addKey', participantId: coop.id, publicKey: gatewayPublicKey },
    } as unknown as Payload;
    await client.commit(coop, [payload], "adding the gateway's key to the cooperative");
  }
  return gatewayKeyId;
}

export const bindingPollAttemptsMax = 600;

/** Waits until every device is bound to the gateway key on the registry chain. */
export function waitDeviceBindings(
  client: CloudClient,
  coopId: string,
  gatewayKeyId: string,
  deviceIds: readonly string[],
  abort?: AbortSignal,
): Promise<true> {
  return pollUntil(
    `device bindings ${deviceIds.join(', ')} on the registry chain`,
    async () => {
      const view = await participant(client, coopId);
      const bound = view?.keys.find((k) => k.keyId === gatewayKeyId)?.devices ?? [];
      return deviceIds.every((d) => bound.includes(d)) ? true : null;
    },
    { attemptsMax: bindingPollAttemptsMax, intervalMs: 200, ...(abort ? { abort } : {}) },
  );
}
