// The one timeline/audit mechanism: every mutation records an event through here, inside the
// same transaction as the change, so a change and its record stand or fall together.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';

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

// One statement for any number of events; `ord` keeps their order (the timeline sorts by id).
const insertEvents = defineStatement(
  'gz_record_events',
  `insert into events (at, action, subject_type, subject_id, territory_path, actor_id, actor_role, actor_organisation_id,
     ip, request_id, visibility, from_state, to_state, note, data)
   select $at::timestamptz, e.action, e.subject_type, e.subject_id, e.territory_path, $actorId::uuid, e.actor_role,
     e.actor_organisation_id, $ip, $requestId, e.visibility, e.from_state, e.to_state, e.note, e.data
   from jsonb_to_recordset($events::jsonb) as e(ord int, action text, subject_type text, subject_id text, territory_path text,
     actor_role text, actor_organisation_id uuid, visibility text, from_state text, to_state text, note text, data jsonb)
   order by e.ord`,
);

export async function recordEvents(db: Executor, ctx: CallContext, inputs: EventInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await runStatement(db, insertEvents, {
    at: ctx.now.toISOString(),
    actorId: ctx.actor?.accountId ?? null,
    ip: ctx.ip ?? null,
    requestId: ctx.requestId ?? null,
    events: JSON.stringify(
      inputs.map((e, ord) => ({
        ord,
        action: e.action,
        subject_type: e.subjectType,
        subject_id: e.subjectId ?? null,
        territory_path: e.territoryPath ?? null,
        actor_role: e.actorRole ?? null,
        actor_organisation_id: e.actorOrganisationId ?? null,
        visibility: e.visibility ?? 'audit',
        from_state: e.fromState ?? null,
        to_state: e.toState ?? null,
        note: e.note ?? null,
        data: e.data ?? null,
      })),
    ),
  });
}
