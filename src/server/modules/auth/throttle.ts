// Login throttling with back-off, kept in the database so that every app process agrees.
// After `freeFailures` failures within the window a key is locked for 30 s, doubling with each
// further failure up to 15 minutes. A success clears the account's key.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { loginThrottle } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';

const windowMs = 15 * 60_000;
const baseLockMs = 30_000;
const maxLockMs = 15 * 60_000;

export interface ThrottleKey {
  key: string;
  freeFailures: number;
}

export function loginKeys(identifier: string, ip: string | undefined): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `id:${identifier.toLowerCase()}`, freeFailures: 5 }];
  // An address may be shared by a whole office (NAT), so it gets more room.
  if (ip) keys.push({ key: `ip:${ip}`, freeFailures: 30 });
  return keys;
}

export function lockDuration(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(maxLockMs, baseLockMs * 2 ** (failures - freeFailures));
}

/** Throws 429 with Retry-After when any key is locked now. */
export async function assertNotLocked(db: Executor, keys: ThrottleKey[], now: Date): Promise<void> {
  const rows = await db
    .select()
    .from(loginThrottle)
    .where(
      inArray(
        loginThrottle.key,
        keys.map((k) => k.key),
      ),
    );
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil?.getTime() ?? 0));
  if (until > now.getTime()) {
    const seconds = Math.ceil((until - now.getTime()) / 1000);
    throw new AppError('rate_limited', `Too many failed sign-ins. Try again in ${seconds} seconds.`, undefined, {
      'retry-after': String(seconds),
    });
  }
}

export async function recordFailure(db: Executor, keys: ThrottleKey[], now: Date): Promise<void> {
  for (const k of keys) {
    const windowStart = new Date(now.getTime() - windowMs);
    const [row] = await db
      .insert(loginThrottle)
      .values({ key: k.key, failures: 1, lastFailureAt: now })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures: sql`case when ${loginThrottle.lastFailureAt} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end`,
          lastFailureAt: now,
        },
      })
      .returning({ failures: loginThrottle.failures });
    const lock = lockDuration(row?.failures ?? 1, k.freeFailures);
    if (lock > 0) {
      await db
        .update(loginThrottle)
        .set({ lockedUntil: new Date(now.getTime() + lock) })
        .where(eq(loginThrottle.key, k.key));
    }
  }
}

export async function clearFailures(db: Executor, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
