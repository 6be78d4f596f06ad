// The one timeline/audit mechanism: every mutation records an event through here, inside the
// same transaction as the change, so a change and its record stand or fall together.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { events } from '../../db/schema.ts';

export type Visibility = 'public' | 'staff' | 'audit';

export interface EventInput {
  action: string;
  subjectType: string;
  subjectId?: string | null;
  territoryPath?: string | null;
  visibility?: Visibility;
  fromState?: string | null;
  toState?: string | null;
  note?: string | null;
  data?: Record<string, unknown> | null;
  /** Role and unit the actor acted in, when the action is taken on behalf of a unit. */
  actorRole?: string | null;
  actorOrganisationId?: string | null;
}

export async function recordEvent(db: Executor, ctx: CallContext, input: EventInput): Promise<void> {
  await recordEvents(db, ctx, [input]);
}

export async function recordEvents(db: Executor, ctx: CallContext, inputs: EventInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await db.insert(events).values(
    inputs.map((e) => ({
      at: ctx.now,
      action: e.action,
      subjectType: e.subjectType,
      subjectId: e.subjectId ?? null,
      territoryPath: e.territoryPath ?? null,
      actorId: ctx.actor?.accountId ?? null,
      actorRole: e.actorRole ?? null,
      actorOrganisationId: e.actorOrganisationId ?? null,
      ip: ctx.ip ?? null,
      requestId: ctx.requestId ?? null,
      visibility: e.visibility ?? 'audit',
      fromState: e.fromState ?? null,
      toState: e.toState ?? null,
      note: e.note ?? null,
      data: e.data ?? null,
    })),
  );
}
