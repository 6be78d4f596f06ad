import { Type } from 'typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.ts';
import { appealStatuses, channels, resolutions, satisfactions, urgencies } from './appeal-rules.ts';

export const IntakeBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    categoryCode: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    urgency: Type.Optional(Type.Enum(urgencies)),
    location: Type.Object(
      {
        lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
        lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
        address: Type.Optional(Type.String({ minLength: 2, maxLength: 200 })),
        territoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      },
      { additionalProperties: false },
    ),
    contactName: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    contactPhone: Type.Optional(Type.String({ pattern: '^(1[3-9]\\d{9}|0\\d{2,3}-?\\d{7,8})$', description: 'Mobile or landline' })),
    hideIdentity: Type.Optional(Type.Boolean()),
    channel: Type.Optional(Type.Enum(channels)),
    clientKey: Type.Optional(Type.String({ minLength: 8, maxLength: 100, description: 'Idempotency key: a retry with the same key returns the first case' })),
  },
  { additionalProperties: false },
);

const Person = Type.Object({ contactName: Nullable(Type.String()), contactPhone: Nullable(Type.String()) });

export const TimelineEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  action: Type.String(),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  note: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  unit: Nullable(Type.Object({ id: Uuid, nameZh: Type.String(), nameEn: Nullable(Type.String()) })),
  data: Type.Unknown(),
});

export const AttachmentView = Type.Object({ id: Uuid, mime: Type.String(), width: Nullable(Type.Integer()), height: Nullable(Type.Integer()), url: Type.String() });

const Unit = Type.Object({ id: Uuid, nameZh: Type.String(), nameEn: Nullable(Type.String()) });

/** What anyone with the tracking code sees: no identity, no exact place. */
export const PublicAppeal = Type.Object({
  id: Uuid,
  code: Type.String(),
  status: Type.Enum(appealStatuses),
  categoryCode: Nullable(Type.String()),
  text: Type.String(),
  urgency: Type.Enum(urgencies),
  channel: Type.Enum(channels),
  /** The community (or coarser territory) the case lies in. */
  place: Type.String(),
  /** Rounded to about 100 m. */
  approxLon: Nullable(Type.Number()),
  approxLat: Nullable(Type.Number()),
  leadUnit: Nullable(Unit),
  createdAt: Timestamp,
  replyText: Nullable(Type.String()),
  repliedAt: Nullable(Timestamp),
  closedAt: Nullable(Timestamp),
  rateBy: Nullable(Timestamp),
  resolution: Nullable(Type.String()),
  satisfaction: Nullable(Type.String()),
  parentCode: Nullable(Type.String()),
  photos: Type.Array(AttachmentView),
  timeline: Type.Array(TimelineEntry),
});

export const StaffAppeal = Type.Intersect([
  PublicAppeal,
  Type.Object({
    territoryPath: Type.String(),
    lon: Nullable(Type.Number()),
    lat: Nullable(Type.Number()),
    address: Nullable(Type.String()),
    hideIdentity: Type.Boolean(),
    /** Masked; a handler reveals it with POST …/reveal-contact (audited). */
    contact: Person,
    dispatchUnit: Unit,
    handlers: Type.Array(Type.Object({ id: Uuid, nameZh: Type.String(), role: Type.String(), signedAt: Nullable(Timestamp), repliedAt: Nullable(Timestamp) })),
    routeRule: Nullable(Type.String()),
    routeReason: Nullable(Type.String()),
    /** The open case this one probably duplicates (linked on intake; a dispatcher merges or not). */
    duplicateOf: Nullable(Type.Object({ id: Uuid, code: Type.String(), status: Type.String() })),
    signDueAt: Nullable(Timestamp),
    replyDueAt: Nullable(Timestamp),
    resolveDueAt: Nullable(Timestamp),
    deadlineState: Nullable(Type.String()),
    escalationLevel: Type.Integer(),
    returnCount: Type.Integer(),
    extensionCount: Type.Integer(),
    extensionRequestedUntil: Nullable(Timestamp),
    extensionReason: Nullable(Type.String()),
    urgeCount: Type.Integer(),
    supervised: Type.Boolean(),
    reopenCount: Type.Integer(),
    signedAt: Nullable(Timestamp),
    suggestions: Type.Unknown(),
    /** Actions the caller may take now (the web app shows only these). */
    allowedActions: Type.Array(Type.String()),
  }),
]);

export const IntakeResponse = Type.Object({
  id: Uuid,
  code: Type.String(),
  status: Type.String(),
  urgency: Type.Enum(urgencies),
  created: Type.Boolean(),
  routeReason: Nullable(Type.String()),
});

export const ListQuery = Type.Object(
  {
    queue: Type.Optional(
      Type.Enum(['all', 'to_dispatch', 'to_sign', 'in_progress', 'due_soon', 'overdue', 'returned', 'supervised', 'co_handled', 'replied', 'closed'] as const),
    ),
    categoryCode: Type.Optional(Type.String()),
    territory: Type.Optional(Type.String({ description: 'Territory code: the case lies at or below it' })),
    channel: Type.Optional(Type.Enum(channels)),
    urgency: Type.Optional(Type.Enum(urgencies)),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Tracking code or words of the text' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
  },
  { additionalProperties: false },
);

export const ListItem = Type.Object({
  id: Uuid,
  code: Type.String(),
  status: Type.String(),
  categoryCode: Nullable(Type.String()),
  text: Type.String(),
  urgency: Type.String(),
  channel: Type.String(),
  territoryPath: Type.String(),
  leadOrgId: Nullable(Uuid),
  createdAt: Timestamp,
  signDueAt: Nullable(Timestamp),
  resolveDueAt: Nullable(Timestamp),
  deadlineState: Nullable(Type.String()),
  supervised: Type.Boolean(),
  urgeCount: Type.Integer(),
});

export const ListResponse = Type.Object({ total: Type.Integer(), items: Type.Array(ListItem) });

export const DispatchBody = Type.Object(
  { organisationId: Uuid, categoryCode: Type.Optional(Type.String({ maxLength: 64 })), note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export const ReplyBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export const ExtensionBody = Type.Object({ until: Timestamp, reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export const DecisionBody = Type.Object({ approve: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export const EscalateBody = Type.Object(
  { organisationIds: Type.Array(Uuid, { minItems: 1, maxItems: 10 }), note: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export const NoteBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
export const MergeBody = Type.Object({ parentId: Uuid }, { additionalProperties: false });
export const AnswerBody = Type.Object({ answer: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
export const RateBody = Type.Object(
  { resolution: Type.Enum(resolutions), satisfaction: Type.Enum(satisfactions), comment: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
export const CodeParams = Type.Object({ code: Type.String({ pattern: '^\\d{4} ?\\d{4} ?\\d{4}$' }) });
