// Lookups of the government units a case can be given to.
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { organisations } from '../../db/schema.ts';

export async function findActiveGovernmentUnits(db: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, { id: string; territoryPath: string; type: string }>();
  const rows = await db
    .select({ id: organisations.id, territoryPath: organisations.territoryPath, type: organisations.type })
    .from(organisations)
    .where(and(inArray(organisations.id, ids), eq(organisations.kind, 'government'), eq(organisations.active, true)));
  return new Map(rows.map((r) => [r.id, r]));
}
