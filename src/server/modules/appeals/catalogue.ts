// Categories and routing rules, the data that decides where a case goes. Administrators edit
// them; every process keeps a copy in memory (read on every intake) and reloads when the
// change counter in `meta` moves.
import { asc, eq } from 'drizzle-orm';
import type { Db, Executor } from '../../db/client.ts';
import { categories, routingRules } from '../../db/schema.ts';
import { VersionWatch } from '../../db/versions.ts';
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

/** Another process's edit is seen within 2 s, this process's own at once (catalogueChanged). */
const watch = new VersionWatch('catalogue_version', 2000);

/** Moves the catalogue's change counter: call it in the transaction that edits categories or rules. */
export const bumpCatalogueVersion = (db: Executor) => watch.bump(db);
/** Call it after such an edit has committed: this process reads the catalogue again at once. */
export const catalogueChanged = () => watch.changed();

const catalogueOf = watch.cache(async (db: Db): Promise<Catalogue> => {
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
  return { categories: new Map(cats.map((c) => [c.code, c])), rules: byCategory };
});

export const loadCatalogue = (db: Db, now = Date.now()): Promise<Catalogue> => catalogueOf(db, { now });

/** Inserts the shipped taxonomy's categories that are missing (administrators' edits stay). */
export async function seedCategories(db: Db): Promise<number> {
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
  if (inserted.length > 0) {
    await bumpCatalogueVersion(db);
    catalogueChanged();
  }
  return inserted.length;
}
