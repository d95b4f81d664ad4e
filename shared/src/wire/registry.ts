import { z } from 'zod';
import { publicKeyText } from './block.ts';

/**
 * Registry chain actions. A genesis configuration names the first administrators; administrators
 * register everyone else. A participant may add keys (its gateways) and bind its devices to them.
 */
export const participantRoles = ['admin', 'farm', 'processor', 'logistics', 'retailer', 'regulator'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

/** A participant id: a PGLN EPC URI (`urn:epc:id:pgln:…`) or a private id under a cooperative's prefix. */
export const participantId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:/-]+$/, 'a participant id is 1-128 of A-Z a-z 0-9 . _ : / -');

const keyId = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a key id is 43 base64url characters');
const deviceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a device id is 1-64 of A-Z a-z 0-9 . _ : -');

export const registerParticipantSchema = z
  .object({
    type: z.literal('registerParticipant'),
    participant: z
      .object({
        id: participantId,
        name: z.string().min(1).max(200),
        roles: z.array(z.enum(participantRoles)).min(1).max(participantRoles.length),
        publicKey: publicKeyText,
        gln: z
          .string()
          .regex(/^\d{13}$/, 'a GLN is 13 digits')
          .optional(),
      })
      .strict(),
  })
  .strict();

export const registryActionSchema = z.discriminatedUnion('type', [
  registerParticipantSchema,
  /** Another key for a participant (a gateway); by an admin or the participant itself. */
  z.object({ type: z.literal('addKey'), participantId, publicKey: publicKeyText }).strict(),
  /** A device's readings are accepted only from this gateway key; by an admin or the key's owner. */
  z.object({ type: z.literal('bindDevice'), deviceId, gateway: keyId }).strict(),
  /** A revoked key signs nothing more, ever; by an admin or the key's owner. */
  z.object({ type: z.literal('revokeKey'), keyId, reason: z.string().min(1).max(500) }).strict(),
  /** Replace a participant's roles; admin only. */
  z
    .object({
      type: z.literal('setRoles'),
      participantId,
      roles: z.array(z.enum(participantRoles)).min(1).max(participantRoles.length),
    })
    .strict(),
]);
export type RegistryAction = z.infer<typeof registryActionSchema>;
