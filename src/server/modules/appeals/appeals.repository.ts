// All SQL of the appeal aggregate: the case row, its handling units, attachments and timeline.
// What every action and every case view run (the case locked, read and updated, its units, its
// timeline) are fixed statements (db/statements.ts): prepared once per connection and mapped by
// hand, not built by the query builder and planned anew each time; an action and the view it
// returns run a dozen of them.
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { appealAttachments, appealHandlers, appeals, events } from '../../db/schema.ts';
import { columnsOf, defineStatement, rowMapper, runStatement, type Statement } from '../../db/statements.ts';
import { AppError } from '../../errors.ts';
import type { AppealStatus } from './appeal-rules.ts';

export type AppealRow = typeof appeals.$inferSelect;
export type AppealInsert = typeof appeals.$inferInsert;
export type HandlerRow = typeof appealHandlers.$inferSelect & { nameZh: string; nameEn: string | null };
export type EventRow = typeof events.$inferSelect;

type DriverRow = Record<string, unknown>;
const toAppeal = rowMapper(appeals);
const toHandler = rowMapper(appealHandlers);
const toAttachment = rowMapper(appealAttachments);
const toEvent = rowMapper(events);

async function oneAppeal(db: Executor, statement: Statement, params: Record<string, unknown>): Promise<AppealRow | undefined> {
  const [row] = await runStatement<DriverRow>(db, statement, params);
  return row ? toAppeal(row) : undefined;
}

const appealColumnList = columnsOf(appeals);
const appealById = defineStatement('gz_appeal_by_id', `select ${appealColumnList} from appeals where id = $id`);
const appealByCode = defineStatement('gz_appeal_by_code', `select ${appealColumnList} from appeals where code = $code`);
const appealByIdempotencyKey = defineStatement('gz_appeal_by_idempotency_key', `select ${appealColumnList} from appeals where idempotency_key = $key`);
const appealLocked = defineStatement('gz_appeal_lock', `select ${appealColumnList} from appeals where id = $id for update`);

export function findAppeal(db: Executor, id: string): Promise<AppealRow | undefined> {
  return oneAppeal(db, appealById, { id });
}

export function findAppealByCode(db: Executor, code: string): Promise<AppealRow | undefined> {
  return oneAppeal(db, appealByCode, { code });
}

/** The case an earlier submission with this idempotency key created, if any. */
export function findAppealByIdempotencyKey(db: Executor, key: string): Promise<AppealRow | undefined> {
  return oneAppeal(db, appealByIdempotencyKey, { key });
}

/** Locks the case row for the rest of the transaction, so two actions on it queue up. */
export function lockAppeal(db: Executor, id: string): Promise<AppealRow | undefined> {
  return oneAppeal(db, appealLocked, { id });
}

// The columns an update sets vary by action, so its statement is made per set of columns, once.
const appealColumns = getTableColumns(appeals);
const updateStatements = new Map<string, Statement>();

function updateStatement(keys: string[]): Statement {
  const signature = keys.join(',');
  let statement = updateStatements.get(signature);
  if (!statement) {
    const set = keys.map((k) => `${appealColumns[k as keyof typeof appealColumns].name} = $v_${k}`).join(', ');
    statement = defineStatement(`gz_appeal_update_${updateStatements.size + 1}`, `update appeals set ${set} where id = $id and status = any(string_to_array($from, ',')) returning ${appealColumnList}`);
    updateStatements.set(signature, statement);
  }
  return statement;
}

/** Updates a case that must still be in one of `from`; 409 otherwise (someone moved it first). */
export async function updateAppealFrom(db: Executor, id: string, from: readonly AppealStatus[], values: Partial<AppealInsert>): Promise<AppealRow> {
  const keys = Object.keys(values)
    .filter((k) => values[k as keyof AppealInsert] !== undefined)
    .sort();
  const params: Record<string, unknown> = { id, from: from.join(',') };
  for (const k of keys) {
    const value = values[k as keyof AppealInsert];
    params[`v_${k}`] = value === null ? null : appealColumns[k as keyof typeof appealColumns].mapToDriverValue(value as never);
  }
  const [row] = await runStatement<DriverRow>(db, updateStatement(keys), params);
  if (!row) throw new AppError('invalid_state', 'The case has moved on since it was loaded; reload it.');
  return toAppeal(row);
}

// The lead unit first, then the co-handlers in the order they were added.
const handlersOf = defineStatement(
  'gz_appeal_handlers',
  `select ${columnsOf(appealHandlers, 'h')}, o.name_zh as unit_name_zh, o.name_en as unit_name_en
   from appeal_handlers h join organisations o on o.id = h.organisation_id
   where h.appeal_id = $appealId
   order by h.role = 'lead' desc, h.added_at`,
);

export async function loadHandlers(db: Executor, appealId: string): Promise<HandlerRow[]> {
  const rows = await runStatement<DriverRow>(db, handlersOf, { appealId });
  return rows.map((r) => ({ ...toHandler(r), nameZh: r.unit_name_zh as string, nameEn: (r.unit_name_en as string | null) ?? null }));
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

const markHandlersStatement = defineStatement(
  'gz_mark_handlers',
  `update appeal_handlers
   set signed_at = case when $setSigned::boolean then $signedAt::timestamptz else signed_at end,
     replied_at = case when $setReplied::boolean then $repliedAt::timestamptz else replied_at end
   where appeal_id = $appealId and organisation_id = any(string_to_array($organisationIds, ',')::uuid[])`,
);

/** Sets when the given units signed or replied (a field left out stays as it is). */
export async function markHandlers(db: Executor, appealId: string, organisationIds: string[], values: { signedAt?: Date | null; repliedAt?: Date | null }) {
  if (organisationIds.length === 0) return;
  await runStatement(db, markHandlersStatement, {
    appealId,
    organisationIds: organisationIds.join(','),
    setSigned: values.signedAt !== undefined,
    signedAt: values.signedAt?.toISOString() ?? null,
    setReplied: values.repliedAt !== undefined,
    repliedAt: values.repliedAt?.toISOString() ?? null,
  });
}

export async function insertAttachments(db: Executor, rows: (typeof appealAttachments.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return db.insert(appealAttachments).values(rows).returning();
}

const attachmentsOf = defineStatement(
  'gz_appeal_attachments',
  `select ${columnsOf(appealAttachments)} from appeal_attachments where appeal_id = $appealId order by created_at`,
);

export async function listAttachments(db: Executor, appealId: string) {
  return (await runStatement<DriverRow>(db, attachmentsOf, { appealId })).map(toAttachment);
}

export async function findAttachment(db: Executor, appealId: string, id: string) {
  const [row] = await db
    .select()
    .from(appealAttachments)
    .where(and(eq(appealAttachments.id, id), eq(appealAttachments.appealId, appealId)));
  return row;
}

// Visibilities come as one comma-separated text: the same parameter on both drivers.
const timelineStatement = defineStatement(
  'gz_appeal_timeline',
  `select ${columnsOf(events)} from events
   where subject_type = 'appeal' and subject_id = $appealId and visibility = any(string_to_array($visibilities, ','))
   order by id`,
);

/** The case's events of the given visibilities (public, staff, audit), oldest first. */
export async function timelineOf(db: Executor, appealId: string, visibilities: readonly string[]): Promise<EventRow[]> {
  return (await runStatement<DriverRow>(db, timelineStatement, { appealId, visibilities: visibilities.join(',') })).map(toEvent);
}

export async function childrenOf(db: Executor, parentId: string) {
  return db.select().from(appeals).where(eq(appeals.parentId, parentId));
}

const unitNames = defineStatement('gz_unit_names', 'select id, name_zh, name_en from organisations where id = any(string_to_array($ids, \',\')::uuid[])');

/** Units' names by id (ids as the case and its timeline name them). */
export async function organisationNames(db: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, { nameZh: string; nameEn: string | null }>();
  const rows = await runStatement<{ id: string; name_zh: string; name_en: string | null }>(db, unitNames, { ids: ids.join(',') });
  return new Map(rows.map((r) => [r.id, { nameZh: r.name_zh, nameEn: r.name_en }]));
}
