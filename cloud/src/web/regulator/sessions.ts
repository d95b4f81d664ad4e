import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@suyuan/shared';

/**
 * Dashboard sessions and login throttling, in memory. A session id is 32 random bytes (the cookie,
 * HttpOnly); each session has its own CSRF token that every form posts back. Failed logins are
 * limited per user name and in total (no addresses are kept), with a Retry-After when over.
 */

export type Role = 'regulator' | 'auditor';

export interface Session {
  id: string;
  username: string;
  role: Role;
  csrf: string;
  expiresAt: number;
}

export const sessionTtlMs = 8 * 3_600_000;
export const sessionsMax = 10_000;
export const loginFailuresPerUserMax = 5;
export const loginAttemptsPerWindowMax = 100;
export const loginWindowMs = 15 * 60_000;

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  create(username: string, role: Role): Session {
    if (this.sessions.size >= sessionsMax) this.sessions.delete(this.sessions.keys().next().value!);
    const session = {
      id: randomToken(),
      username,
      role,
      csrf: randomToken(),
      expiresAt: this.clock.now() + sessionTtlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (session.expiresAt <= this.clock.now()) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }
}

/** Fixed-window limiter: per-user failures and all attempts; answers how long to wait, 0 when allowed. */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();
  private attempts = { count: 0, windowStart: 0 };
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  private window<T extends { count: number; windowStart: number }>(w: T): T {
    const now = this.clock.now();
    if (now - w.windowStart >= loginWindowMs) {
      w.count = 0;
      w.windowStart = now;
    }
    return w;
  }

  /** Milliseconds until `username` may try again; counts the attempt when allowed. */
  retryAfterMs(username: string): number {
    const now = this.clock.now();
    const all = this.window(this.attempts);
    const user = this.failures.get(username);
    if (user && this.window(user).count >= loginFailuresPerUserMax)
      return user.windowStart + loginWindowMs - now;
    if (all.count >= loginAttemptsPerWindowMax) return all.windowStart + loginWindowMs - now;
    all.count += 1;
    return 0;
  }

  failed(username: string): void {
    const entry = this.failures.get(username) ?? { count: 0, windowStart: this.clock.now() };
    this.window(entry).count += 1;
    if (this.failures.size >= sessionsMax) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(username, entry);
  }

  succeeded(username: string): void {
    this.failures.delete(username);
  }
}
