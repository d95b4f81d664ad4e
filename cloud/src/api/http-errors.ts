import { InputError, isSuyuanError, LimitError } from '@suyuan/shared';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every error body is `{error: {code, message}}`; codes are stable, messages are for people. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/** Bad input from outside is a 4xx with its code; anything else is our bug: a 500 that says little. */
export function onApiError(error: unknown, c: Context) {
  if (error instanceof LimitError) return errorResponse(c, 413, error.code, error.message);
  if (isSuyuanError(error)) return errorResponse(c, 400, error.code, error.message);
  console.error('ledger api: unexpected error', error);
  return errorResponse(c, 500, 'internal', 'internal error');
}

export function zodMessage(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  const issue = error.issues[0];
  const where = issue ? issue.path.map(String).join('.') || '(root)' : '(root)';
  return `${where}: ${issue?.message ?? 'invalid'}`;
}

/** A positive integer query parameter within [1, max], with a default. */
export function intParam(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new InputErrorForParam(name, max);
  }
  return Number(raw);
}

class InputErrorForParam extends InputError {
  constructor(name: string, max: number) {
    super('query.invalid', `${name} must be an integer from 1 to ${max}`);
  }
}
