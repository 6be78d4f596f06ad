// Reads of the event log (writes go through events.service.ts).
import { and, desc, eq, gte, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { withinPaths } from '../../db/scope.ts';
import { events } from '../../db/schema.ts';

export interface EventFilter {
  scopes: string[];
  /** Also events with no territory (only for holders of a root scope). */
  includeUnplaced: boolean;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

export async function listEvents(db: Executor, f: EventFilter) {
  const placed = withinPaths(events.territoryPath, f.scopes);
  const conditions: (SQL | undefined)[] = [
    f.includeUnplaced ? or(isNull(events.territoryPath), placed) : placed,
    f.subjectType ? eq(events.subjectType, f.subjectType) : undefined,
    f.subjectId ? eq(events.subjectId, f.subjectId) : undefined,
    f.actorId ? eq(events.actorId, f.actorId) : undefined,
    f.action ? eq(events.action, f.action) : undefined,
    f.since ? gte(events.at, f.since) : undefined,
    f.until ? lt(events.at, f.until) : undefined,
    f.before ? lt(events.id, f.before) : undefined,
  ];
  return db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(desc(events.id))
    .limit(f.limit);
}
