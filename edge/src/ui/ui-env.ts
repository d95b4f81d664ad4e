import type { Clock, Ed25519KeyPair } from '@suyuan/shared';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Db } from '../gateway/database.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { FarmStore } from './farm-store.ts';
import type { Lang, Strings } from './i18n.ts';
import type { RecentTags } from './recent-tags.ts';
import type { SessionKeys } from './session.ts';
import type { UiConfig } from './ui-config.ts';

/** What the farmer UI needs from the gateway, and the per-request values its middleware sets. */
export interface FarmUiDeps {
  db: Db;
  outbox: OutboxStore;
  key: Ed25519KeyPair;
  clock: Clock;
  config: UiConfig;
  recentTags: RecentTags;
  sessionKeys?: SessionKeys;
}

export interface UiContext {
  deps: FarmUiDeps;
  store: FarmStore;
}

export type UiEnv = { Variables: { lang: Lang; t: Strings; sid: string; csrf: string } };
export type UiCtx = Context<UiEnv>;

/** Form fields as strings (multi-valued ones as arrays); files are ignored. */
export async function formFields(c: UiCtx): Promise<Record<string, string | string[]>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** zod issues as one localized sentence naming each field by its label. */
export function describeIssues(error: z.ZodError, t: Strings, labels: Record<string, string>): string {
  const zh = t.htmlLang !== 'en';
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const field = labels[String(i.path[0] ?? '')] ?? String(i.path[0] ?? '');
      return `${field}: ${localIssue(i, zh)}`;
    })
    .join('; ');
}

function localIssue(issue: z.core.$ZodIssue, zh: boolean): string {
  switch (issue.code) {
    case 'too_small':
      return zh ? `太小或太短（最小 ${issue.minimum}）` : `too small or short (minimum ${issue.minimum})`;
    case 'too_big':
      return zh ? `太大或太长（最大 ${issue.maximum}）` : `too large or long (maximum ${issue.maximum})`;
    case 'invalid_type':
      return zh ? '必填或格式不对' : 'missing or not the right kind of value';
    case 'invalid_value':
      return zh ? '不是可选的值' : 'not one of the choices';
    default:
      return zh ? `格式不对（${issue.message}）` : issue.message;
  }
}
