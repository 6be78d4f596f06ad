// The workbench's queues: which cases a member of staff sees, filtered and counted in SQL.
import { and, desc, eq, exists, gte, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { escapeLike, withinPaths } from '../../db/scope.ts';
import { appealHandlers, appeals } from '../../db/schema.ts';

export type Queue = 'all' | 'to_dispatch' | 'to_sign' | 'in_progress' | 'due_soon' | 'overdue' | 'returned' | 'supervised' | 'co_handled' | 'replied' | 'closed';

export interface AppealListFilter {
  /** Territory paths where the caller reads every case. */
  scopes: string[];
  /** Units the caller handles cases for, or dispatches for. */
  unitIds: string[];
  queue: Queue;
  withinPath?: string | undefined;
  categoryCode?: string | undefined;
  channel?: string | undefined;
  urgency?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

const open = sql`${appeals.status} not in ('closed', 'merged')`;

function handledBy(unitIds: string[], role?: 'co'): SQL {
  if (unitIds.length === 0) return sql`false`;
  return exists(
    sql`(select 1 from ${appealHandlers} where ${appealHandlers.appealId} = ${appeals.id} and ${inArray(appealHandlers.organisationId, unitIds)}${role ? sql` and ${appealHandlers.role} = ${role}` : sql``})`,
  );
}

function queueCondition(queue: Queue, unitIds: string[]): SQL | undefined {
  switch (queue) {
    case 'all':
      return undefined;
    case 'to_dispatch':
      return inArray(appeals.status, ['submitted', 'returned']);
    case 'to_sign':
      return inArray(appeals.status, ['dispatched', 'reopened']);
    case 'in_progress':
      return inArray(appeals.status, ['signed', 'in_progress']);
    case 'due_soon':
      return and(eq(appeals.deadlineState, 'warning'), open);
    case 'overdue':
      return and(eq(appeals.deadlineState, 'overdue'), open);
    case 'returned':
      return eq(appeals.status, 'returned');
    case 'supervised':
      return and(eq(appeals.supervised, true), open);
    case 'co_handled':
      return and(handledBy(unitIds, 'co'), open);
    case 'replied':
      return inArray(appeals.status, ['replied', 'verified']);
    case 'closed':
      return eq(appeals.status, 'closed');
  }
}

export async function listAppeals(db: Executor, f: AppealListFilter) {
  const visible = or(
    withinPaths(appeals.territoryPath, f.scopes),
    f.unitIds.length ? inArray(appeals.dispatchOrgId, f.unitIds) : undefined,
    handledBy(f.unitIds),
  );
  const q = f.q?.replace(/\s/g, '');
  const where = and(
    visible,
    queueCondition(f.queue, f.unitIds),
    f.withinPath ? withinPaths(appeals.territoryPath, [f.withinPath]) : undefined,
    f.categoryCode ? eq(appeals.categoryCode, f.categoryCode) : undefined,
    f.channel ? eq(appeals.channel, f.channel) : undefined,
    f.urgency ? eq(appeals.urgency, f.urgency) : undefined,
    f.from ? gte(appeals.createdAt, f.from) : undefined,
    f.to ? lt(appeals.createdAt, f.to) : undefined,
    q ? (/^\d{12}$/.test(q) ? eq(appeals.code, q) : ilike(appeals.text, `%${escapeLike(f.q!)}%`)) : undefined,
  );
  const [items, [count]] = await Promise.all([
    db
      .select()
      .from(appeals)
      .where(where)
      .orderBy(sql`${appeals.urgency} = 'urgent' desc`, desc(appeals.createdAt))
      .limit(f.limit)
      .offset(f.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(appeals).where(where),
  ]);
  return { items, total: count?.n ?? 0 };
}

export async function listByReporter(db: Executor, reporterId: string, limit: number) {
  return db.select().from(appeals).where(eq(appeals.reporterId, reporterId)).orderBy(desc(appeals.createdAt)).limit(limit);
}
