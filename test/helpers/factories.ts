// Factories write test data straight to the database, creating missing parents, so a test
// states only what it is about. They do not go through services on purpose: tests of a service
// then meet data that the service did not shape itself.
import { eq } from 'drizzle-orm';
import type { Executor } from '../../src/server/db/client.ts';
import { accounts, organisations, roleGrants, territories } from '../../src/server/db/schema.ts';
import { hashPassword } from '../../src/server/modules/auth/password.ts';
import type { Role } from '../../src/server/policy/index.ts';
import { bumpTerritoryVersion } from '../../src/server/modules/territories/territory-index.ts';
import type { App } from '../../src/server/app.ts';

export type Box = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export function boxPolygon([a, b, c, d]: Box) {
  return { type: 'Polygon' as const, coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] };
}

const levels = ['city', 'district', 'street', 'community', 'grid', 'building'] as const;
export type Level = (typeof levels)[number];

export async function territory(db: Executor, input: { code: string; parentCode?: string; level: Level; nameZh?: string; box?: Box }) {
  const [existing] = await db.select().from(territories).where(eq(territories.code, input.code));
  if (existing) return existing;
  let parentPath = '';
  let parentId: string | null = null;
  if (input.parentCode) {
    const [parent] = await db.select().from(territories).where(eq(territories.code, input.parentCode));
    if (!parent) throw new Error(`factory: create parent ${input.parentCode} first`);
    parentPath = parent.path + '.';
    parentId = parent.id;
  }
  const box = input.box;
  const [row] = await db
    .insert(territories)
    .values({
      code: input.code,
      parentId,
      level: input.level,
      path: parentPath + input.code,
      depth: levels.indexOf(input.level),
      nameZh: input.nameZh ?? `${input.code}`,
      boundary: box ? boxPolygon(box) : null,
      centroidLon: box ? (box[0] + box[2]) / 2 : null,
      centroidLat: box ? (box[1] + box[3]) / 2 : null,
    })
    .returning();
  return row!;
}

/**
 * A small city: two districts; D1 has one street with two communities (C1 west, C2 east), D2 one
 * street with one community; each community has one grid covering it.
 *   city 440300  [113.9, 22.4]–[114.5, 22.9]
 *   D1 [113.9–114.2]  D1S1  C1 [113.9–114.05]  C2 [114.05–114.2]
 *   D2 [114.2–114.5]  D2S1  C1 [114.2–114.5]
 */
export async function smallCity(db: Executor) {
  const city = await territory(db, { code: '440300', level: 'city', nameZh: '深圳市', box: [113.9, 22.4, 114.5, 22.9] });
  const d1 = await territory(db, { code: 'D1', parentCode: '440300', level: 'district', nameZh: '一区', box: [113.9, 22.4, 114.2, 22.9] });
  const d2 = await territory(db, { code: 'D2', parentCode: '440300', level: 'district', nameZh: '二区', box: [114.2, 22.4, 114.5, 22.9] });
  const s1 = await territory(db, { code: 'D1S1', parentCode: 'D1', level: 'street', nameZh: '一街道', box: [113.9, 22.4, 114.2, 22.9] });
  const s2 = await territory(db, { code: 'D2S1', parentCode: 'D2', level: 'street', nameZh: '二街道', box: [114.2, 22.4, 114.5, 22.9] });
  const c1 = await territory(db, { code: 'D1S1C1', parentCode: 'D1S1', level: 'community', nameZh: '西社区', box: [113.9, 22.4, 114.05, 22.9] });
  const c2 = await territory(db, { code: 'D1S1C2', parentCode: 'D1S1', level: 'community', nameZh: '东社区', box: [114.05, 22.4, 114.2, 22.9] });
  const c3 = await territory(db, { code: 'D2S1C1', parentCode: 'D2S1', level: 'community', nameZh: '南社区', box: [114.2, 22.4, 114.5, 22.9] });
  const g1 = await territory(db, { code: 'D1S1C1G1', parentCode: 'D1S1C1', level: 'grid', box: [113.9, 22.4, 114.05, 22.9] });
  const g2 = await territory(db, { code: 'D1S1C2G1', parentCode: 'D1S1C2', level: 'grid', box: [114.05, 22.4, 114.2, 22.9] });
  const g3 = await territory(db, { code: 'D2S1C1G1', parentCode: 'D2S1C1', level: 'grid', box: [114.2, 22.4, 114.5, 22.9] });
  await bumpTerritoryVersion(db);
  return { city, d1, d2, s1, s2, c1, c2, c3, g1, g2, g3 };
}

export async function organisation(
  db: Executor,
  input: { code: string; territoryCode: string; type: string; kind?: 'government' | 'party' | 'social'; nameZh?: string; parentCode?: string },
) {
  const [existing] = await db.select().from(organisations).where(eq(organisations.code, input.code));
  if (existing) return existing;
  const [t] = await db.select().from(territories).where(eq(territories.code, input.territoryCode));
  if (!t) throw new Error(`factory: no territory ${input.territoryCode}`);
  let parentId: string | null = null;
  if (input.parentCode) {
    const [p] = await db.select().from(organisations).where(eq(organisations.code, input.parentCode));
    parentId = p?.id ?? null;
  }
  const [row] = await db
    .insert(organisations)
    .values({
      code: input.code,
      kind: input.kind ?? 'government',
      type: input.type,
      nameZh: input.nameZh ?? input.code,
      territoryId: t.id,
      territoryPath: t.path,
      parentId,
    })
    .returning();
  return row!;
}

export const testPassword = 'Passw0rd!';
let cachedHash: Promise<string> | undefined;

/** An account holding `role` over a territory (and optionally an organisation). */
export async function account(
  db: Executor,
  input: { username: string; role?: Role; territoryCode?: string; organisationCode?: string; phone?: string; displayName?: string },
) {
  cachedHash ??= hashPassword(testPassword);
  const [row] = await db
    .insert(accounts)
    .values({ username: input.username, phone: input.phone ?? null, displayName: input.displayName ?? input.username, passwordHash: await cachedHash })
    .returning();
  if (input.role) {
    let territoryCode = input.territoryCode;
    let organisationId: string | null = null;
    if (input.organisationCode) {
      const [o] = await db.select().from(organisations).where(eq(organisations.code, input.organisationCode));
      if (!o) throw new Error(`factory: no organisation ${input.organisationCode}`);
      organisationId = o.id;
      const [t] = await db.select().from(territories).where(eq(territories.id, o.territoryId));
      territoryCode ??= t!.code;
    }
    const [t] = await db.select().from(territories).where(eq(territories.code, territoryCode ?? ''));
    if (!t) throw new Error(`factory: give territoryCode or organisationCode for ${input.username}`);
    await db.insert(roleGrants).values({ accountId: row!.id, role: input.role, territoryId: t.id, scopePath: t.path, organisationId });
  }
  return row!;
}

/** Signs in through the API and returns the Cookie header value. */
export async function login(app: App, identifier: string, password = testPassword): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier, password } });
  if (res.statusCode !== 200) throw new Error(`login ${identifier}: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'gz_session');
  return `gz_session=${cookie!.value}`;
}
