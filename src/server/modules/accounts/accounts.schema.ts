import { Type } from 'typebox';
import { Nullable, Paging, Timestamp, Uuid } from '../../lib/schemas.ts';
import { GrantView, RoleName } from '../auth/auth.schema.ts';

export const GrantInput = Type.Object(
  {
    role: RoleName,
    territoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Scope of the role; defaults to the organisation’s territory' })),
    organisationId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const AccountView = Type.Object({
  id: Uuid,
  username: Nullable(Type.String()),
  /** Masked (138****8000) for everyone but the account itself. */
  phone: Nullable(Type.String()),
  displayName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  lastLoginAt: Nullable(Timestamp),
  createdAt: Timestamp,
  grants: Type.Array(GrantView),
});

export const AccountList = Type.Object({ total: Type.Integer(), items: Type.Array(AccountView) });

export const ListQuery = Type.Object(
  {
    within: Type.Optional(Type.String({ description: 'Accounts holding a role at or below this territory code' })),
    role: Type.Optional(RoleName),
    organisationId: Type.Optional(Uuid),
    q: Type.Optional(Type.String({ maxLength: 50 })),
    ...Paging,
  },
  { additionalProperties: false },
);

export const CreateBody = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 3, maxLength: 32 })),
    phone: Type.Optional(Type.String({ pattern: '^1[3-9]\\d{9}$' })),
    displayName: Type.String({ minLength: 1, maxLength: 40 }),
    password: Type.String({ minLength: 8, maxLength: 128 }),
    grants: Type.Array(GrantInput, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const UpdateBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const TokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    rateLimitPerMinute: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'null: no limit' })),
  },
  { additionalProperties: false },
);

export const TokenView = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  rateLimitPerMinute: Nullable(Type.Integer()),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});

export const NewToken = Type.Object({ id: Uuid, prefix: Type.String(), token: Type.String({ description: 'Shown once; store it now' }) });

export const GrantParams = Type.Object({ id: Uuid, grantId: Uuid });
export const TokenParams = Type.Object({ id: Uuid, tokenId: Uuid });
