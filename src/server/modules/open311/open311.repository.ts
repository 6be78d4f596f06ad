// SQL of the Open311 reads: cases by tracking code or by period, the names they are shown
// with, their public timelines, and the public timeline events of a period (mySociety's
// service request updates). Lists are bounded (page_size ≤ 1,000) and ordered by an index.
import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../db/client.ts';
import { appeals, categories, events } from '../../db/schema.ts';

/** The service code shown for cases that have no category yet. */
export const unclassified = 'unclassified';

export interface RequestFilter {
  /** Tracking codes; when given, every other condition is ignored (as the spec says). */
  codes?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  /** Appeal statuses to keep (open or closed mapped to ours by the caller). */
  statuses?: readonly string[] | undefined;
  from: Date;
  to: Date;
  limit: number;
  offset: number;
}

/**
 * The columns the Open311 view of a case shows (open311.service's presentRequests), and no
 * more: a page holds up to 1,000 cases, and every column of each cost memory and time for
 * nothing. The media URL is the one a client gave, kept among the case's suggestions.
 */
const requestColumns = {
  id: appeals.id,
  code: appeals.code,
  status: appeals.status,
  text: appeals.text,
  categoryCode: appeals.categoryCode,
  leadOrgId: appeals.leadOrgId,
  parentId: appeals.parentId,
  territoryPath: appeals.territoryPath,
  lat: appeals.lat,
  lon: appeals.lon,
  replyText: appeals.replyText,
  resolveDueAt: appeals.resolveDueAt,
  createdAt: appeals.createdAt,
  updatedAt: appeals.updatedAt,
  closedAt: appeals.closedAt,
  mediaUrl: sql<string | null>`${appeals.suggestions} #>> '{open311,mediaUrl}'`,
};

export type RequestRow = Awaited<ReturnType<typeof findRequests>>[number];

export async function findRequestByCode(db: Executor, code: string): Promise<RequestRow | undefined> {
  const [row] = await db.select(requestColumns).from(appeals).where(eq(appeals.code, code));
  return row;
}

export async function findRequests(db: Executor, f: RequestFilter) {
  if (f.codes) {
    if (f.codes.length === 0) return [];
    return db.select(requestColumns).from(appeals).where(inArray(appeals.code, f.codes)).orderBy(desc(appeals.createdAt), asc(appeals.id)).limit(f.limit).offset(f.offset);
  }
  const where: (SQL | undefined)[] = [
    gte(appeals.createdAt, f.from),
    lt(appeals.createdAt, f.to),
    f.serviceCodes?.length
      ? or(
          inArray(appeals.categoryCode, f.serviceCodes),
          // Cases without a category are listed as the service `unclassified`.
          f.serviceCodes.includes(unclassified) ? isNull(appeals.categoryCode) : undefined,
        )
      : undefined,
    f.statuses ? inArray(appeals.status, [...f.statuses]) : undefined,
  ];
  return db
    .select(requestColumns)
    .from(appeals)
    .where(and(...where))
    .orderBy(desc(appeals.createdAt), asc(appeals.id))
    .limit(f.limit)
    .offset(f.offset);
}

export async function findAppealCodes(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: appeals.id, code: appeals.code }).from(appeals).where(inArray(appeals.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.code]));
}

/** When the categories last changed: the discovery document's changeset. */
export async function catalogueChangedAt(db: Executor): Promise<Date | null> {
  const [row] = await db.select({ at: sql<string | Date | null>`max(${categories.updatedAt})` }).from(categories);
  return row?.at ? new Date(row.at) : null;
}

export interface PublicEventRow {
  id: number;
  at: Date;
  subjectId: string;
  action: string;
  toState: string | null;
  note: string | null;
}

/** Public timeline events of these cases, in order. */
export async function publicTimelines(db: Executor, appealIds: readonly string[]): Promise<PublicEventRow[]> {
  if (appealIds.length === 0) return [];
  const rows = await db
    .select({ id: events.id, at: events.at, subjectId: events.subjectId, action: events.action, toState: events.toState, note: events.note })
    .from(events)
    .where(and(eq(events.subjectType, 'appeal'), inArray(events.subjectId, [...appealIds]), eq(events.visibility, 'public')))
    .orderBy(asc(events.id));
  return rows as PublicEventRow[];
}

export interface UpdateRow {
  id: number;
  at: Date;
  appeal_id: string;
  code: string;
  status: string;
  action: string;
  to_state: string | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

/**
 * Public timeline events of every case in [from, to), oldest first. NOTE: `events` has no index
 * on `at`; on a large installation this wants one (see the report in issue 4).
 */
export async function publicUpdates(db: Executor, from: Date, to: Date, limit: number, offset: number): Promise<UpdateRow[]> {
  const rows = await queryRows<UpdateRow & { at: Date | string }>(
    db,
    sql`select e.id, e.at, a.id as appeal_id, a.code, a.status, e.action, e.to_state, e.note, e.data
        from ${events} e join ${appeals} a on a.id::text = e.subject_id
        where e.subject_type = 'appeal' and e.visibility = 'public'
          and e.at >= ${from.toISOString()}::timestamptz and e.at < ${to.toISOString()}::timestamptz
        order by e.at, e.id
        limit ${limit} offset ${offset}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at) }));
}
