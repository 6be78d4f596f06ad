import { Type } from 'typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.ts';

export const NotificationView = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  title: Type.String(),
  body: Nullable(Type.String()),
  subjectType: Nullable(Type.String()),
  subjectId: Nullable(Type.String()),
  organisationId: Nullable(Uuid),
  data: Type.Unknown(),
  createdAt: Timestamp,
  readAt: Nullable(Timestamp),
});

export const NotificationList = Type.Object({
  items: Type.Array(NotificationView),
  nextBefore: Nullable(Type.Integer({ description: 'Pass as `before` for the next (older) page; null at the end' })),
});

export const ListQuery = Type.Object(
  {
    unreadOnly: Type.Optional(Type.Boolean({ default: false })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Cursor: notifications older than this id' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export const UnreadCount = Type.Object({ count: Type.Integer() });

export const ReadBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500, description: 'Notifications to mark read' })),
    all: Type.Optional(Type.Boolean({ description: 'Mark every notification read' })),
  },
  { additionalProperties: false },
);

export const ReadResult = Type.Object({
  updated: Type.Integer({ description: 'How many were unread and are now read' }),
  unreadCount: Type.Integer(),
});
