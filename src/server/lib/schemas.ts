// Schemas shared by many routes. Each module keeps its own in <feature>.schema.ts.
import { Type, type TSchema } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.Optional(Type.String()), message: Type.String() }))),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error has this shape; `code` is stable (see src/server/errors.ts).' },
);

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const Timestamp = Type.String({ format: 'date-time' });

/** Error responses a route may give, for the OpenAPI document. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
