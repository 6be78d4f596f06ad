// Change counters in `meta`, so every app process can tell cheaply that data it caches in
// memory (the territory index, the working-day calendar) changed and must be reloaded.
import { eq, sql } from 'drizzle-orm';
import type { Executor } from './client.ts';
import { meta } from './schema.ts';

/** A counter rather than a timestamp: two changes in the same millisecond still differ. */
export async function bumpVersion(db: Executor, key: string): Promise<void> {
  await db
    .insert(meta)
    .values({ key, value: 1 })
    .onConflictDoUpdate({
      target: meta.key,
      set: { value: sql`to_jsonb(coalesce((${meta.value} #>> '{}')::bigint, 0) + 1)`, updatedAt: sql`now()` },
    });
}

export async function readVersion(db: Executor, key: string): Promise<number> {
  const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, key));
  return typeof row?.value === 'number' ? row.value : 0;
}
