import { fromBase64Url, isValidPublicKey, keyIdOf, type RegistryAction } from '@suyuan/shared';
import {
  accept,
  type Effect,
  hasRole,
  type RuleContext,
  type RuleResult,
  reject,
  type StateView,
} from '../state.ts';

/**
 * Registry chain rules. The genesis configuration names the first administrators; administrators
 * register participants and set roles; a participant (or an admin) adds its own keys, binds devices
 * to its own gateway keys and revokes its own keys.
 */
export function checkRegistryAction(view: StateView, ctx: RuleContext, action: RegistryAction): RuleResult {
  const isAdmin = hasRole(ctx.participant, ['admin']);
  switch (action.type) {
    case 'registerParticipant': {
      if (!isAdmin) return reject('registry.notAdmin', 'only an administrator registers participants');
      const p = action.participant;
      if (view.participant(p.id))
        return reject('registry.exists', `participant ${p.id} is already registered`);
      const key = newKey(view, p.id, p.publicKey);
      if (!key.ok) return key;
      const participant = { id: p.id, name: p.name, roles: [...new Set(p.roles)], gln: p.gln ?? null };
      return accept([{ type: 'putParticipant', participant }, ...key.effects]);
    }
    case 'addKey': {
      if (!isAdmin && ctx.participant.id !== action.participantId) {
        return reject('registry.notOwner', 'a participant adds keys only for itself');
      }
      if (!view.participant(action.participantId)) {
        return reject('registry.unknownParticipant', `participant ${action.participantId} is not registered`);
      }
      return newKey(view, action.participantId, action.publicKey);
    }
    case 'bindDevice': {
      const gateway = view.key(action.gateway);
      if (!gateway) return reject('registry.unknownKey', `gateway key ${action.gateway} is not registered`);
      if (gateway.revokedReason !== null)
        return reject('registry.revoked', `gateway key ${action.gateway} is revoked`);
      if (!isAdmin && gateway.participantId !== ctx.participant.id) {
        return reject('registry.notOwner', 'a participant binds devices only to its own gateway keys');
      }
      return accept([{ type: 'bindDevice', deviceId: action.deviceId, gateway: action.gateway }]);
    }
    case 'revokeKey': {
      const key = view.key(action.keyId);
      if (!key) return reject('registry.unknownKey', `key ${action.keyId} is not registered`);
      if (!isAdmin && key.participantId !== ctx.participant.id) {
        return reject('registry.notOwner', 'a participant revokes only its own keys');
      }
      if (key.revokedReason !== null)
        return reject('registry.revoked', `key ${action.keyId} is already revoked`);
      return accept([{ type: 'putKey', key: { ...key, revokedReason: action.reason } }]);
    }
    case 'setRoles': {
      if (!isAdmin) return reject('registry.notAdmin', 'only an administrator sets roles');
      const p = view.participant(action.participantId);
      if (!p)
        return reject('registry.unknownParticipant', `participant ${action.participantId} is not registered`);
      return accept([{ type: 'putParticipant', participant: { ...p, roles: [...new Set(action.roles)] } }]);
    }
  }
}

function newKey(view: StateView, participantId: string, publicKeyText: string): RuleResult {
  const publicKey = fromBase64Url(publicKeyText, 'public key');
  if (!isValidPublicKey(publicKey)) return reject('registry.badKey', 'public key is not a valid Ed25519 key');
  const keyId = keyIdOf(publicKey);
  if (view.key(keyId)) return reject('registry.keyExists', `key ${keyId} is already registered`);
  const effect: Effect = {
    type: 'putKey',
    key: { keyId, participantId, publicKey: publicKeyText, revokedReason: null },
  };
  return accept([effect]);
}
