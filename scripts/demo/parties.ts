import { existsSync, mkdirSync } from 'node:fs';
import {
  type Ed25519KeyPair,
  generateKeyPair,
  loadPrivateKey,
  type ParticipantRole,
  savePrivateKey,
} from '../../shared/src/index.ts';
import type { DemoLayout } from './layout.ts';

/** The demo's organisations: one key each, kept in the data dir (PKCS#8 PEM, mode 0600). */
export const partySpecs = [
  { name: 'admin', display: 'Suyuan network administrator 网络管理员', roles: ['admin'] },
  { name: 'lotus-coop', display: 'Lotus Valley Cooperative 莲谷合作社', roles: ['farm'] },
  { name: 'hills-processing', display: 'Green Hills Processing 青山加工厂', roles: ['processor'] },
  { name: 'swift-cold', display: 'Swift Cold Logistics 迅捷冷链', roles: ['logistics'] },
  { name: 'fresh-market', display: 'Fresh Market Kunming 鲜市昆明店', roles: ['retailer'] },
  { name: 'food-safety', display: 'Municipal Food Safety Bureau 市场监管局', roles: ['regulator'] },
] as const satisfies readonly { name: string; display: string; roles: ParticipantRole[] }[];

export type PartyName = (typeof partySpecs)[number]['name'];

export interface Party {
  name: PartyName;
  id: string;
  display: string;
  roles: readonly ParticipantRole[];
  key: Ed25519KeyPair;
  /** Next submission seq: never below the clock in ms, so a restart never reuses one. */
  seq: number;
}

export const partyId = (name: string) => `urn:suyuan:party:${name}`;

/** Loads every party's key, creating the missing ones. */
export function loadParties(layout: DemoLayout): Record<PartyName, Party> {
  mkdirSync(layout.partiesDir, { recursive: true });
  const out = {} as Record<PartyName, Party>;
  for (const spec of partySpecs) {
    const path = layout.partyKey(spec.name);
    if (!existsSync(path)) savePrivateKey(path, generateKeyPair().privateKey);
    out[spec.name] = {
      name: spec.name,
      id: partyId(spec.name),
      display: spec.display,
      roles: spec.roles,
      key: loadPrivateKey(path),
      seq: 0,
    };
  }
  return out;
}

/** A fresh seq: increasing per party, and above anything an earlier run used (ms clock). */
export function nextSeq(party: Party, nowMs: number): number {
  party.seq = Math.max(party.seq + 1, nowMs);
  return party.seq;
}
