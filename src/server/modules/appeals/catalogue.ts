// Categories and routing rules, the data that decides where a case goes. Administrators edit
// them; every process keeps a copy in memory (read on every intake) and reloads when the
// change counter in `meta` moves.
import { asc, eq } from 'drizzle-orm';
import type { Db, Executor } from '../../db/client.ts';
import { categories, routingRules } from '../../db/schema.ts';
import { bumpVersion, readVersion } from '../../db/versions.ts';
import taxonomy from '../../data/taxonomy.json' with { type: 'json' };

export interface Category {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string | null;
  deptType: string | null;
  level: string | null;
  resolveDays: number | null;
  active: boolean;
}

export interface RoutingRule {
  id: string;
  categoryCode: string;
  territoryPath: string;
  level: string;
  deptType: string;
}

export interface Catalogue {
  categories: Map<string, Category>;
  /** Rules per category, most specific (longest territory path) first. */
  rules: Map<string, RoutingRule[]>;
}

const versionKey = 'catalogue_version';
const freshnessMs = 2000;
const caches = new WeakMap<Db, { catalogue?: Catalogue; version: number; checkedAt: number; generation: number }>();
/** Changes made by this process are seen at once; other processes' within `freshnessMs`. */
let generation = 0;

export async function bumpCatalogueVersion(db: Executor): Promise<void> {
  await bumpVersion(db, versionKey);
  generation++;
}

export async function loadCatalogue(db: Db, now = Date.now()): Promise<Catalogue> {
  let entry = caches.get(db);
  if (!entry) caches.set(db, (entry = { version: -1, checkedAt: 0, generation }));
  if (entry.catalogue && entry.generation === generation && now - entry.checkedAt < freshnessMs) return entry.catalogue;
  entry.generation = generation;
  const version = await readVersion(db, versionKey);
  entry.checkedAt = now;
  if (entry.catalogue && version === entry.version) return entry.catalogue;
  // Read after the version, so a change committed in between is caught by the next check.
  const [cats, rules] = await Promise.all([
    db.select().from(categories).orderBy(asc(categories.sort)),
    db.select().from(routingRules).where(eq(routingRules.active, true)),
  ]);
  const byCategory = new Map<string, RoutingRule[]>();
  for (const r of rules.sort((a, b) => b.territoryPath.length - a.territoryPath.length)) {
    const list = byCategory.get(r.categoryCode) ?? [];
    list.push({ id: r.id, categoryCode: r.categoryCode, territoryPath: r.territoryPath, level: r.level, deptType: r.deptType });
    byCategory.set(r.categoryCode, list);
  }
  entry.catalogue = { categories: new Map(cats.map((c) => [c.code, c])), rules: byCategory };
  entry.version = version;
  return entry.catalogue;
}

/** Inserts the shipped taxonomy's categories that are missing (administrators' edits stay). */
export async function seedCategories(db: Executor): Promise<number> {
  const rows: (typeof categories.$inferInsert)[] = [];
  taxonomy.categories.forEach((group, g) => {
    rows.push({ code: group.code, parentCode: null, nameZh: group.zh, nameEn: group.en, sort: g * 100 });
    group.children.forEach((leaf, i) => {
      rows.push({
        code: leaf.code,
        parentCode: group.code,
        nameZh: leaf.zh,
        nameEn: leaf.en,
        deptType: leaf.dept,
        level: leaf.level,
        resolveDays: leaf.resolveDays,
        sort: g * 100 + i + 1,
      });
    });
  });
  const inserted = await db.insert(categories).values(rows).onConflictDoNothing().returning({ code: categories.code });
  if (inserted.length > 0) await bumpCatalogueVersion(db);
  return inserted.length;
}
