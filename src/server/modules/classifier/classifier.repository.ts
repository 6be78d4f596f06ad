// SQL of the classifier: stored model versions and the closed cases that teach the next one.
import { desc, eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../db/client.ts';
import { classifierModels } from '../../db/schema.ts';

export interface ModelVersionRow {
  id: string;
  version: string;
  createdAt: Date;
  active: boolean;
  metrics: unknown;
}

const summary = { id: classifierModels.id, version: classifierModels.version, createdAt: classifierModels.createdAt, active: classifierModels.active, metrics: classifierModels.metrics };

export async function findActiveVersion(db: Executor): Promise<ModelVersionRow | undefined> {
  const [row] = await db.select(summary).from(classifierModels).where(eq(classifierModels.active, true)).limit(1);
  return row;
}

export async function listVersions(db: Executor): Promise<ModelVersionRow[]> {
  return db.select(summary).from(classifierModels).orderBy(desc(classifierModels.createdAt));
}

export async function readModelBytes(db: Executor, id: string): Promise<Uint8Array | undefined> {
  const [row] = await db.select({ model: classifierModels.model }).from(classifierModels).where(eq(classifierModels.id, id));
  return row?.model;
}

/** Versions are 1, 2, 3, …; call inside the lock that serialises training. */
export async function nextVersionNumber(db: Executor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(max(nullif(regexp_replace(${classifierModels.version}, '\\D', '', 'g'), '')::int), 0) + 1` })
    .from(classifierModels);
  return Number(row?.n ?? 1);
}

export async function insertActiveVersion(db: Executor, values: { version: string; metrics: unknown; model: Uint8Array; createdAt: Date }): Promise<ModelVersionRow> {
  await db.update(classifierModels).set({ active: false }).where(eq(classifierModels.active, true));
  const [row] = await db.insert(classifierModels).values({ ...values, active: true }).returning(summary);
  return row!;
}

export async function activateVersion(db: Executor, version: string): Promise<ModelVersionRow | undefined> {
  const [target] = await db.select(summary).from(classifierModels).where(eq(classifierModels.version, version));
  if (!target) return undefined;
  await db.update(classifierModels).set({ active: false }).where(eq(classifierModels.active, true));
  await db.update(classifierModels).set({ active: true }).where(eq(classifierModels.id, target.id));
  return { ...target, active: true };
}

export interface ConfirmedCase {
  text: string;
  category: string;
  /** A dispatcher changed the category (or set one the case did not have). */
  corrected: boolean;
}

/**
 * Closed cases whose final category people stood behind: the case reached a unit (an
 * `appeal.dispatched` event) and was closed under that category. Either a dispatcher placed
 * it by hand (data.auto = false, choosing or correcting the category: categoryTo), or it was
 * routed automatically and closed without anyone changing the category. Merged duplicates and
 * cases answered on the phone without dispatch are left out. Newest first, at most `limit`.
 */
export async function confirmedCases(db: Executor, limit: number): Promise<ConfirmedCase[]> {
  return queryRows<ConfirmedCase>(
    db,
    sql`select a.text, a.category_code as category,
          bool_or(e.data->>'auto' = 'false' and (e.data->>'categoryFrom') is distinct from (e.data->>'categoryTo')) as corrected
        from appeals a
        join events e on e.subject_type = 'appeal' and e.subject_id = a.id::text and e.action = 'appeal.dispatched'
        where a.status = 'closed' and a.category_code is not null
        group by a.id, a.text, a.category_code, a.closed_at
        order by a.closed_at desc nulls last
        limit ${limit}`,
  );
}
