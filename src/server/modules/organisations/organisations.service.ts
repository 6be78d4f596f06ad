// Government units, party organisations and social units. Each is attached to a territory, and
// its territory path is what the policy checks: managing a unit needs 'organisation.manage' over
// the territory it is (and, on a move, will be) attached to.
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { authorize } from '../../policy/index.ts';
import { recordEvent } from '../events/events.service.ts';
import { findTerritoryByCode } from '../territories/territories.repository.ts';
import { partyParents, typesByKind, type OrganisationKind } from './organisation-types.ts';
import { unitsChanged } from './unit-directory.ts';
import {
  countActiveChildren,
  findOrganisation,
  findOrganisationByCode,
  insertOrganisation,
  updateOrganisation,
  type OrganisationRow,
} from './organisations.repository.ts';

async function territoryByCode(db: Executor, code: string) {
  const row = await findTerritoryByCode(db, code);
  if (!row) throw invalid('/territoryCode', `No territory has the code ${code}.`);
  return row;
}

async function checkParent(db: Executor, kind: string, type: string, parentId: string | null | undefined, selfId?: string) {
  if (!parentId) return;
  if (parentId === selfId) throw invalid('/parentId', 'A unit cannot be its own parent.');
  const parent = await findOrganisation(db, parentId);
  if (!parent) throw invalid('/parentId', 'The parent organisation does not exist.');
  if (parent.kind !== kind) throw invalid('/parentId', `A ${kind} organisation cannot sit under a ${parent.kind} one.`);
  if (kind === 'party') {
    const allowed = partyParents[type as keyof typeof partyParents];
    if (!allowed.includes(parent.type)) throw invalid('/parentId', `A ${type} cannot sit under a ${parent.type}; allowed: ${allowed.join(', ')}.`);
  }
  if (selfId) {
    // Refuse cycles: walk up from the new parent.
    let cursor: OrganisationRow | undefined = parent;
    for (let hops = 0; cursor && hops < 32; hops++) {
      if (cursor.parentId === selfId) throw invalid('/parentId', 'That parent lies below this unit.');
      cursor = cursor.parentId ? await findOrganisation(db, cursor.parentId) : undefined;
    }
  }
}

async function checkHost(db: Executor, hostId: string | null | undefined) {
  if (!hostId) return;
  const host = await findOrganisation(db, hostId);
  if (!host) throw invalid('/hostOrganisationId', 'The host organisation does not exist.');
  if (host.kind === 'party') throw invalid('/hostOrganisationId', 'A host unit is a government or social unit.');
}

export interface CreateOrganisationInput {
  code: string;
  kind: OrganisationKind;
  type: string;
  nameZh: string;
  nameEn?: string | null | undefined;
  territoryCode: string;
  parentId?: string | null | undefined;
  hostOrganisationId?: string | null | undefined;
}

export async function createOrganisation(db: Db, ctx: CallContext, input: CreateOrganisationInput): Promise<OrganisationRow> {
  const created = await db.transaction(async (tx) => {
    if (!typesByKind[input.kind].includes(input.type)) {
      throw invalid('/type', `A ${input.kind} organisation's type is one of: ${typesByKind[input.kind].join(', ')}.`);
    }
    const territory = await territoryByCode(tx, input.territoryCode);
    authorize(ctx.actor, 'organisation.manage', territory.path);
    if (await findOrganisationByCode(tx, input.code)) {
      throw new AppError('already_exists', `An organisation with code ${input.code} exists.`, [{ field: '/code', message: 'taken' }]);
    }
    await checkParent(tx, input.kind, input.type, input.parentId);
    await checkHost(tx, input.hostOrganisationId);
    const { id } = await insertOrganisation(tx, {
      code: input.code,
      kind: input.kind,
      type: input.type,
      nameZh: input.nameZh,
      nameEn: input.nameEn ?? null,
      territoryId: territory.id,
      territoryPath: territory.path,
      parentId: input.parentId ?? null,
      hostOrganisationId: input.hostOrganisationId ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    await recordEvent(tx, ctx, { action: 'organisation.created', subjectType: 'organisation', subjectId: id, territoryPath: territory.path, data: { ...input } });
    return (await findOrganisation(tx, id))!;
  });
  unitsChanged();
  return created;
}

export interface UpdateOrganisationInput {
  nameZh?: string | undefined;
  nameEn?: string | null | undefined;
  territoryCode?: string | undefined;
  parentId?: string | null | undefined;
  hostOrganisationId?: string | null | undefined;
  active?: boolean | undefined;
}

export async function updateOrganisationById(db: Db, ctx: CallContext, id: string, input: UpdateOrganisationInput): Promise<OrganisationRow> {
  const updated = await db.transaction(async (tx) => {
    const current = await findOrganisation(tx, id);
    if (!current) throw notFound('Organisation');
    authorize(ctx.actor, 'organisation.manage', current.territoryPath);
    const move = input.territoryCode && input.territoryCode !== current.territoryCode ? await territoryByCode(tx, input.territoryCode) : undefined;
    if (move) authorize(ctx.actor, 'organisation.manage', move.path);
    if (input.parentId !== undefined) await checkParent(tx, current.kind, current.type, input.parentId, id);
    if (input.hostOrganisationId !== undefined) await checkHost(tx, input.hostOrganisationId);
    if (input.active === false && current.active && (await countActiveChildren(tx, id)) > 0) {
      throw new AppError('conflict', 'Deactivate or move the units under this one first.');
    }
    await updateOrganisation(tx, id, {
      ...(input.nameZh !== undefined && { nameZh: input.nameZh }),
      ...(input.nameEn !== undefined && { nameEn: input.nameEn }),
      ...(move && { territoryId: move.id, territoryPath: move.path }),
      ...(input.parentId !== undefined && { parentId: input.parentId }),
      ...(input.hostOrganisationId !== undefined && { hostOrganisationId: input.hostOrganisationId }),
      ...(input.active !== undefined && { active: input.active }),
      updatedAt: ctx.now,
    });
    await recordEvent(tx, ctx, {
      action: input.active === false ? 'organisation.deactivated' : 'organisation.updated',
      subjectType: 'organisation',
      subjectId: id,
      territoryPath: move?.path ?? current.territoryPath,
      data: { ...input },
    });
    return (await findOrganisation(tx, id))!;
  });
  unitsChanged();
  return updated;
}

export function presentOrganisation(o: OrganisationRow) {
  return {
    id: o.id,
    code: o.code,
    kind: o.kind as OrganisationKind,
    type: o.type,
    nameZh: o.nameZh,
    nameEn: o.nameEn,
    territoryId: o.territoryId,
    territoryCode: o.territoryCode,
    territoryPath: o.territoryPath,
    parentId: o.parentId,
    hostOrganisationId: o.hostOrganisationId,
    active: o.active,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
