// The demo city's organisations: government units for every level (district bureaus, street
// offices and teams, community work stations, appeals service centres) and the party tree
// (市委 → 区委 → 街道党工委 → 社区党委 → 党支部). Written straight to the table, keyed by code, so
// a rerun adds only what is missing and never overwrites what an administrator changed.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { organisations, territories } from '../db/schema.ts';
import taxonomy from '../data/taxonomy.json' with { type: 'json' };
import type { CityModel, TerritorySeed } from './city.ts';

export interface OrganisationSeed {
  code: string;
  kind: 'government' | 'party';
  type: string;
  nameZh: string;
  nameEn: string;
  territoryCode: string;
  parentCode?: string;
  hostCode?: string;
}

type DepartmentType = keyof typeof taxonomy.departments;
const departments = taxonomy.departments as Record<DepartmentType, { zh: string; en: string }>;

/** Units that work below the district or are appeals centres; every other department is a district bureau. */
const notBureaus = new Set<string>(['community', 'street_office', 'street_enforcement', 'hotline_center']);
export const districtBureauTypes = (Object.keys(departments) as DepartmentType[]).filter((t) => !notBureaus.has(t));

export const orgCode = (territoryCode: string, type: string) => `ORG-${territoryCode}-${type}`;
export const partyCode = (territoryCode: string, n?: number) => `PARTY-${territoryCode}${n ? `-${n}` : ''}`;

const branchNumerals = ['一', '二', '三', '四', '五'];
/** Party branches under each community party committee. */
export const branchesPerCommunity = 2;

function government(t: TerritorySeed, type: DepartmentType, nameZh: string, nameEn: string, parentCode?: string): OrganisationSeed {
  return { code: orgCode(t.code, type), kind: 'government', type, nameZh, nameEn, territoryCode: t.code, ...(parentCode ? { parentCode } : {}) };
}

function party(t: TerritorySeed, type: string, nameZh: string, nameEn: string, parentCode?: string, hostCode?: string, n?: number): OrganisationSeed {
  return {
    code: partyCode(t.code, n),
    kind: 'party',
    type,
    nameZh,
    nameEn,
    territoryCode: t.code,
    ...(parentCode ? { parentCode } : {}),
    ...(hostCode ? { hostCode } : {}),
  };
}

function unitsFor(t: TerritorySeed): OrganisationSeed[] {
  const hotline = departments.hotline_center;
  const parentParty = t.parent ? partyCode(t.parent) : undefined;
  switch (t.level) {
    case 'city':
      return [
        government(t, 'hotline_center', `${t.nameZh}${hotline.zh}`, `${t.nameEn} ${hotline.en}`),
        party(t, 'party_committee', `中共${t.nameZh}委`, `CPC ${t.nameEn} Municipal Committee`),
      ];
    case 'district':
      return [
        ...districtBureauTypes.map((type) => government(t, type, `${t.nameZh}${departments[type].zh}`, `${t.nameEn} ${departments[type].en}`)),
        government(t, 'hotline_center', `${t.nameZh}${hotline.zh}`, `${t.nameEn} ${hotline.en}`),
        party(t, 'party_committee', `中共${t.nameZh}委`, `CPC ${t.nameEn} Committee`, parentParty),
      ];
    case 'street': {
      const office = orgCode(t.code, 'street_office');
      return [
        government(t, 'street_office', `${t.nameZh}办事处`, `${t.nameEn} Office`),
        government(t, 'street_enforcement', `${t.nameZh}综合行政执法队`, `${t.nameEn} Law-enforcement Team`, office),
        government(t, 'hotline_center', `${t.nameZh}${hotline.zh}`, `${t.nameEn} ${hotline.en}`, office),
        party(t, 'working_committee', `${t.nameZh}党工委`, `${t.nameEn} Party Working Committee`, parentParty, office),
      ];
    }
    case 'community': {
      const station = orgCode(t.code, 'community');
      const committee = partyCode(t.code);
      return [
        government(t, 'community', `${t.nameZh}工作站`, `${t.nameEn} Work Station`, t.parent ? orgCode(t.parent, 'street_office') : undefined),
        party(t, 'party_committee', `${t.nameZh}党委`, `${t.nameEn} Party Committee`, parentParty, station),
        ...Array.from({ length: branchesPerCommunity }, (_, i) =>
          party(t, 'branch', `${t.nameZh}党委第${branchNumerals[i]}党支部`, `${t.nameEn} Party Branch ${i + 1}`, committee, station, i + 1),
        ),
      ];
    }
    default:
      return [];
  }
}

/** Every organisation of the model, parents before children. */
export function organisationSeeds(model: CityModel): OrganisationSeed[] {
  return model.territories.flatMap(unitsFor);
}

const chunkSize = 500;

/**
 * Inserts the seeds that do not exist yet (by code). Ids are chosen here, so parents and hosts
 * can be linked in the same pass whatever order rows land in. Returns how many were inserted.
 */
export async function insertOrganisations(db: Executor, seeds: OrganisationSeed[], onChunk?: (rows: number) => void): Promise<number> {
  const codes = seeds.map((s) => s.code);
  const ids = new Map<string, string>();
  for (let i = 0; i < codes.length; i += chunkSize) {
    const rows = await db.select({ id: organisations.id, code: organisations.code }).from(organisations).where(inArray(organisations.code, codes.slice(i, i + chunkSize)));
    for (const r of rows) ids.set(r.code, r.id);
  }
  const places = new Map<string, { id: string; path: string }>();
  const territoryCodes = [...new Set(seeds.map((s) => s.territoryCode))];
  for (let i = 0; i < territoryCodes.length; i += chunkSize) {
    const rows = await db.select({ id: territories.id, code: territories.code, path: territories.path }).from(territories).where(inArray(territories.code, territoryCodes.slice(i, i + chunkSize)));
    for (const r of rows) places.set(r.code, r);
  }
  const missing = seeds.filter((s) => !ids.has(s.code));
  for (const s of missing) ids.set(s.code, randomUUID());
  const idOf = (code: string | undefined) => (code ? (ids.get(code) ?? null) : null);
  let inserted = 0;
  for (let i = 0; i < missing.length; i += chunkSize) {
    const values = missing.slice(i, i + chunkSize).map((s) => {
      const place = places.get(s.territoryCode);
      if (!place) throw new Error(`seed: territory ${s.territoryCode} of ${s.code} is missing`);
      return {
        id: ids.get(s.code)!,
        code: s.code,
        kind: s.kind,
        type: s.type,
        nameZh: s.nameZh,
        nameEn: s.nameEn,
        territoryId: place.id,
        territoryPath: place.path,
        parentId: idOf(s.parentCode),
        hostOrganisationId: idOf(s.hostCode),
      };
    });
    const rows = await db.insert(organisations).values(values).onConflictDoNothing({ target: organisations.code }).returning({ id: organisations.id });
    inserted += rows.length;
    onChunk?.(values.length);
  }
  return inserted;
}
