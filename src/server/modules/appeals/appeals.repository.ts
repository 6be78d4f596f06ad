// All SQL of the appeal aggregate: the case row, its handling units, attachments and timeline.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { appealAttachments, appealHandlers, appeals, events, organisations } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { AppealStatus } from './appeal-rules.ts';

export type AppealRow = typeof appeals.$inferSelect;
export type AppealInsert = typeof appeals.$inferInsert;
export type HandlerRow = typeof appealHandlers.$inferSelect & { nameZh: string; nameEn: string | null };

/** Inserts a case; null when the idempotency key exists already (the caller fetches that case). */
export async function insertAppeal(db: Executor, values: AppealInsert): Promise<AppealRow | null> {
  const rows = await db.insert(appeals).values(values).onConflictDoNothing({ target: appeals.idempotencyKey }).returning();
  return rows[0] ?? null;
}

export async function findAppeal(db: Executor, id: string): Promise<AppealRow | undefined> {
  const [row] = await db.select().from(appeals).where(eq(appeals.id, id));
  return row;
}

export async function findAppealByCode(db: Executor, code: string): Promise<AppealRow | undefined> {
  const [row] = await db.select().from(appeals).where(eq(appeals.code, code));
  return row;
}

export async function findAppealByIdempotencyKey(db: Executor, key: string): Promise<AppealRow | undefined> {
  const [row] = await db.select().from(appeals).where(eq(appeals.idempotencyKey, key));
  return row;
}

/** Locks the case row for the rest of the transaction, so two actions on it queue up. */
export async function lockAppeal(db: Executor, id: string): Promise<AppealRow | undefined> {
  const [row] = await db.select().from(appeals).where(eq(appeals.id, id)).for('update');
  return row;
}

/** Updates a case that must still be in one of `from`; 409 otherwise (someone moved it first). */
export async function updateAppealFrom(db: Executor, id: string, from: readonly AppealStatus[], values: Partial<AppealInsert>): Promise<AppealRow> {
  const rows = await db
    .update(appeals)
    .set(values)
    .where(and(eq(appeals.id, id), inArray(appeals.status, [...from])))
    .returning();
  if (!rows[0]) throw new AppError('invalid_state', 'The case has moved on since it was loaded; reload it.');
  return rows[0];
}

export async function loadHandlers(db: Executor, appealId: string): Promise<HandlerRow[]> {
  return db
    .select({
      appealId: appealHandlers.appealId,
      organisationId: appealHandlers.organisationId,
      role: appealHandlers.role,
      addedAt: appealHandlers.addedAt,
      addedBy: appealHandlers.addedBy,
      signedAt: appealHandlers.signedAt,
      repliedAt: appealHandlers.repliedAt,
      note: appealHandlers.note,
      nameZh: organisations.nameZh,
      nameEn: organisations.nameEn,
    })
    .from(appealHandlers)
    .innerJoin(organisations, eq(organisations.id, appealHandlers.organisationId))
    .where(eq(appealHandlers.appealId, appealId))
    .orderBy(sql`${appealHandlers.role} = 'lead' desc`, asc(appealHandlers.addedAt));
}

export async function setLeadHandler(db: Executor, appealId: string, organisationId: string, addedBy: string | null, now: Date): Promise<void> {
  await db.delete(appealHandlers).where(and(eq(appealHandlers.appealId, appealId), eq(appealHandlers.role, 'lead')));
  await db
    .insert(appealHandlers)
    .values({ appealId, organisationId, role: 'lead', addedAt: now, addedBy })
    .onConflictDoUpdate({ target: [appealHandlers.appealId, appealHandlers.organisationId], set: { role: 'lead', signedAt: null, repliedAt: null, addedAt: now } });
}

export async function clearLeadHandler(db: Executor, appealId: string): Promise<void> {
  await db.delete(appealHandlers).where(and(eq(appealHandlers.appealId, appealId), eq(appealHandlers.role, 'lead')));
}

export async function addCoHandlers(db: Executor, appealId: string, organisationIds: string[], addedBy: string | null, now: Date, note: string | null) {
  if (organisationIds.length === 0) return [];
  return db
    .insert(appealHandlers)
    .values(organisationIds.map((organisationId) => ({ appealId, organisationId, role: 'co', addedAt: now, addedBy, note })))
    .onConflictDoNothing()
    .returning({ organisationId: appealHandlers.organisationId });
}

export async function markHandlers(db: Executor, appealId: string, organisationIds: string[], values: { signedAt?: Date | null; repliedAt?: Date | null }) {
  if (organisationIds.length === 0) return;
  await db
    .update(appealHandlers)
    .set(values)
    .where(and(eq(appealHandlers.appealId, appealId), inArray(appealHandlers.organisationId, organisationIds)));
}

export async function insertAttachments(db: Executor, rows: (typeof appealAttachments.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return db.insert(appealAttachments).values(rows).returning();
}

export async function listAttachments(db: Executor, appealId: string) {
  return db.select().from(appealAttachments).where(eq(appealAttachments.appealId, appealId)).orderBy(asc(appealAttachments.createdAt));
}

export async function findAttachment(db: Executor, appealId: string, id: string) {
  const [row] = await db
    .select()
    .from(appealAttachments)
    .where(and(eq(appealAttachments.id, id), eq(appealAttachments.appealId, appealId)));
  return row;
}

export async function timelineOf(db: Executor, appealId: string, visibilities: readonly string[]) {
  return db
    .select()
    .from(events)
    .where(and(eq(events.subjectType, 'appeal'), eq(events.subjectId, appealId), inArray(events.visibility, [...visibilities])))
    .orderBy(asc(events.id));
}

export async function childrenOf(db: Executor, parentId: string) {
  return db.select().from(appeals).where(eq(appeals.parentId, parentId));
}

export async function organisationNames(db: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, { nameZh: string; nameEn: string | null }>();
  const rows = await db
    .select({ id: organisations.id, nameZh: organisations.nameZh, nameEn: organisations.nameEn })
    .from(organisations)
    .where(inArray(organisations.id, ids));
  return new Map(rows.map((r) => [r.id, { nameZh: r.nameZh, nameEn: r.nameEn }]));
}
