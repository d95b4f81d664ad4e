import type { ParticipantRole } from '@suyuan/shared';
import type { TraceableKind } from './identity.ts';

/**
 * The contract state the validation rules read (`StateView`) and the changes they ask for
 * (`Effect`). Rules are pure functions of (view, transaction, block time); the SQLite adapter
 * implements the view and applies the effects, so the rules never touch storage.
 */

export interface Participant {
  id: string;
  name: string;
  roles: ParticipantRole[];
  gln: string | null;
}

export interface KeyRecord {
  keyId: string;
  participantId: string;
  publicKey: string;
  revokedReason: string | null;
}

export type ItemStatus = 'active' | 'held' | 'recalled' | 'sold' | 'consumed';

export interface ItemState {
  key: string;
  kind: TraceableKind;
  /** Who brought it into being (commissioned, harvested, packed or made it). */
  owner: string;
  /** Who has custody now. */
  holder: string;
  status: ItemStatus;
  /** The container it is packed in, if any. */
  parent: string | null;
  quantity: number | null;
  uom: string | null;
  /** An open shipment: who shipped it and, when the event named one, the receiving party. */
  transit: { shipper: string; to: string | null } | null;
}

export interface StateView {
  participant(id: string): Participant | undefined;
  key(keyId: string): KeyRecord | undefined;
  /** The gateway key id a device is bound to. */
  deviceGateway(deviceId: string): string | undefined;
  deviceLastSeq(deviceId: string): number | undefined;
  item(key: string): ItemState | undefined;
  /** Current contents of a container. */
  contents(key: string): string[];
  /** Everything packed from or made from these, transitively (containers and outputs), at most `max`. */
  forwardClosure(keys: readonly string[], max: number): string[];
}

export type Effect =
  | { type: 'putParticipant'; participant: Participant }
  | { type: 'putKey'; key: KeyRecord }
  | { type: 'bindDevice'; deviceId: string; gateway: string }
  | { type: 'deviceSeq'; deviceId: string; seq: number }
  | { type: 'putItem'; item: ItemState }
  | { type: 'edge'; kind: 'contains' | 'madeFrom'; from: string; to: string };

export interface Rejection {
  code: string;
  message: string;
}

export type RuleResult = { ok: true; effects: Effect[] } | ({ ok: false } & Rejection);

export function reject(code: string, message: string): RuleResult {
  return { ok: false, code, message };
}

export function accept(effects: Effect[]): RuleResult {
  return { ok: true, effects };
}

/** What every rule knows about the transaction's context. */
export interface RuleContext {
  participant: Participant;
  keyId: string;
  blockTimeMs: number;
  clockSkewMs: number;
  massBalanceTolerance: number;
  recallClosureMax: number;
}

export function hasRole(p: Participant, roles: readonly ParticipantRole[]): boolean {
  return p.roles.some((r) => roles.includes(r));
}
