import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../lib/schemas.ts';
import { roles } from '../../policy/index.ts';

export const RoleName = Type.Enum(roles);

export const GrantView = Type.Object({
  id: Uuid,
  role: RoleName,
  territoryId: Uuid,
  scopePath: Type.String(),
  organisationId: Type.Union([Uuid, Type.Null()]),
});

export const Me = Type.Object({
  id: Uuid,
  displayName: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  locale: Type.String(),
  grants: Type.Array(GrantView),
});

export const SignUpBody = Type.Object(
  {
    phone: Type.String({ pattern: '^1[3-9]\\d{9}$', description: 'Mainland mobile number, 11 digits' }),
    password: Type.String({ minLength: 8, maxLength: 128 }),
    displayName: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    identifier: Type.String({ minLength: 1, maxLength: 64, description: 'Phone number or username' }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const SessionView = Type.Object({
  id: Uuid,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  current: Type.Boolean(),
});
