import { Type } from 'typebox';
import { Nullable, Paging, Timestamp, Uuid } from '../../lib/schemas.ts';
import { organisationKinds } from './organisation-types.ts';

const Code = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Stable code, letters, digits, - and _' });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const OrganisationView = Type.Object({
  id: Uuid,
  code: Type.String(),
  kind: Type.Enum(organisationKinds),
  type: Type.String(),
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
  territoryId: Uuid,
  territoryCode: Type.String(),
  territoryPath: Type.String(),
  parentId: Nullable(Uuid),
  hostOrganisationId: Nullable(Uuid),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const OrganisationList = Type.Object({ total: Type.Integer(), items: Type.Array(OrganisationView) });

export const ListQuery = Type.Object(
  {
    territory: Type.Optional(Type.String({ description: 'Only units attached to this territory' })),
    within: Type.Optional(Type.String({ description: 'Units attached to this territory or anywhere below it' })),
    kind: Type.Optional(Type.Enum(organisationKinds)),
    type: Type.Optional(Type.String()),
    parent: Type.Optional(Uuid),
    q: Type.Optional(Type.String({ maxLength: 50, description: 'Part of the name or code' })),
    includeInactive: Type.Optional(Type.Boolean()),
    ...Paging,
  },
  { additionalProperties: false },
);

export const CreateBody = Type.Object(
  {
    code: Code,
    kind: Type.Enum(organisationKinds),
    type: Type.String({ minLength: 1, maxLength: 40 }),
    nameZh: Name,
    nameEn: Type.Optional(Nullable(Name)),
    territoryCode: Type.String({ minLength: 1, maxLength: 64 }),
    parentId: Type.Optional(Nullable(Uuid)),
    hostOrganisationId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);

export const UpdateBody = Type.Object(
  {
    nameZh: Type.Optional(Name),
    nameEn: Type.Optional(Nullable(Name)),
    territoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    parentId: Type.Optional(Nullable(Uuid)),
    hostOrganisationId: Type.Optional(Nullable(Uuid)),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
