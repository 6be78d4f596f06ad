// 重复诉求: on intake, find the open cases that are probably the same problem: the same category,
// within the category's radius (50–300 m) of the new case's pin, reported within its window
// (7 days), with similar text. Then:
//   - similarity ≥ mergeBar, both pinned, and the earlier case still being handled → merge at
//     once (并案, as a dispatcher's merge does: status merged, parent_id; the resident is told the
//     problem is already being handled and will hear the result when the parent closes, through
//     closeInTransaction's parent_closed notices);
//   - similarity ≥ linkBar → link (duplicate_of_id) and tell the dispatch centre's dispatchers,
//     who merge or not (the staff timeline shows the candidate, its similarity and distance).
// Similarity is the Jaccard index of the texts' character bigrams after normalising (NFKC,
// lower case, letters and digits only) and removing the boilerplate every report shares
// ("市民来电反映", "希望尽快处理"); distance is the haversine distance in metres, after a
// bounding-box prefilter in SQL (an index on category and latitude of open cases bounds it).
// Cases without a pin (placed by address or territory) are compared within the same territory
// and only ever linked: without a place, a merge would be a guess.
// This file finds the candidates; duplicate-link.ts decides and writes the link or merge.
import { and, eq, gte, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { degreesAround, distanceM } from '../../lib/geo.ts';
import { appeals, categories } from '../../db/schema.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import type { AppealRow } from './appeals.repository.ts';

export interface DuplicateRule {
  /** Metres; null: the category is about a person's own affairs, never a shared place. */
  radiusM: number | null;
  windowDays: number;
}

/** Radius by the level that handles a category: community matters are one building's, city ones wide. */
const radiusByLevel: Record<string, number> = { grid: 50, community: 50, street: 100, district: 150, city: 300 };
/** Problems felt over an area: noise, fumes, floods, outages. */
const areaWide = ['construction_noise', 'commercial_noise', 'cooking_fumes', 'air_pollution', 'water_pollution', 'drainage_flooding', 'water_supply', 'power_gas_supply'];
/** Each report is someone's own matter: two of them are two cases, however alike (and none is on
 *  the public map of nearby cases). */
export const personalCategories: readonly string[] = [
  'wage_arrears', 'social_insurance', 'gig_worker', 'school_enrollment', 'training_institution', 'medical_service', 'fraud_scam', 'consumer_dispute',
  'housing_policy', 'rental_dispute', 'policy_enquiry', 'suggestion_praise', 'community_certificate', 'elderly_care', 'neighbor_dispute', 'owners_committee',
];
export const defaultWindowDays = 7;

export function duplicateRule(categoryCode: string, level: string | null | undefined): DuplicateRule {
  if (personalCategories.includes(categoryCode)) return { radiusM: null, windowDays: defaultWindowDays };
  if (areaWide.includes(categoryCode)) return { radiusM: 300, windowDays: defaultWindowDays };
  return { radiusM: radiusByLevel[level ?? ''] ?? 100, windowDays: defaultWindowDays };
}

export const linkBar = 0.2;
export const mergeBar = 0.6;

const boilerplate = [
  '市民来电反映', '市民来电称', '市民来电', '来电人反映', '来电人称', '来电反映', '市民反映', '群众反映', '居民反映', '网格员巡查发现', '巡查发现', '反映',
  '希望尽快', '请尽快', '尽快', '希望', '请求', '要求', '处理一下', '处理', '解决', '相关部门', '有关部门', '谢谢',
].sort((a, b) => b.length - a.length);

/** Letters and digits only, lower case, without the phrases every report shares. */
export function normalise(text: string): string {
  let s = text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  for (const phrase of boilerplate) s = s.split(phrase).join('');
  return s;
}

export function bigrams(text: string): Set<string> {
  const chars = [...normalise(text)];
  if (chars.length < 2) return new Set(chars);
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

/** Jaccard index of the character bigrams: 1 for the same words, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return shared / (x.size + y.size - shared);
}

/**
 * What the duplicate check needs of an earlier case, and what a link or merge to it names
 * (duplicate-link.ts): its fields and their columns, for the json that candidatesSql builds and
 * for the select without a pin alike.
 */
const candidateColumns = {
  id: appeals.id,
  code: appeals.code,
  text: appeals.text,
  lat: appeals.lat,
  lon: appeals.lon,
  createdAt: appeals.createdAt,
  parentId: appeals.parentId,
  status: appeals.status,
  urgency: appeals.urgency,
  territoryPath: appeals.territoryPath,
  leadOrgId: appeals.leadOrgId,
  dispatchOrgId: appeals.dispatchOrgId,
};

export type CandidateCase = Pick<AppealRow, keyof typeof candidateColumns>;

const candidateJsonFields = Object.entries(candidateColumns)
  .map(([field, column]) => `'${field}', a.${column.name}`)
  .join(', ');

export interface DuplicateCandidate {
  appeal: CandidateCase;
  similarity: number;
  /** Null when either case has no pin (then both lie in the same territory). */
  distanceM: number | null;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** Where to look for a pinned case's duplicates: its category's bounding box and window. */
export interface CandidateBox {
  category_code: string;
  lat: number;
  lon: number;
  d_lat: number;
  d_lon: number;
  since: string;
  until: string;
}

/** The box for a new pinned case, or null when it has no pin or its category is personal. */
export function candidateBox(c: { categoryCode: string | null; lat: number | null; lon: number | null; createdAt: Date }, level: string | null | undefined): CandidateBox | null {
  if (!c.categoryCode || c.lat === null || c.lon === null) return null;
  const rule = duplicateRule(c.categoryCode, level);
  if (rule.radiusM === null) return null;
  const { dLat, dLon } = degreesAround(c.lat, rule.radiusM);
  return {
    category_code: c.categoryCode,
    lat: c.lat,
    lon: c.lon,
    d_lat: dLat,
    d_lon: dLon,
    since: new Date(c.createdAt.getTime() - rule.windowDays * 86_400_000).toISOString(),
    until: c.createdAt.toISOString(),
  };
}

/**
 * SQL: the open cases in the box of row `b` (a CandidateBox's columns), newest first, as a json
 * array of CandidateCase. Used in intake's own statement (intake-write.ts), where the new case
 * is not yet visible (nor the others written by the same statement: two reports within the same
 * few milliseconds are left to the dispatcher), and below. By the partial index appeals_open_category_place_idx. While the
 * statistics still think the table is small (a new installation) the planner would take any index
 * with a condition it can use, scanning every recent case of every category: so
 * `created_at + interval '0 s'` keeps it off appeals_created_idx, and `parent_id` is checked in
 * rankCandidates rather than here (appeals_parent_idx).
 */
export function candidatesSql(b: string, extra = ''): string {
  return `(select coalesce(json_agg(json_build_object(${candidateJsonFields}) order by a.created_at desc), '[]'::json)
    from (select a.* from appeals a
      where ${b}.d_lat is not null and a.category_code = ${b}.category_code and a.status not in ('closed', 'merged')
        and a.lat between ${b}.lat - ${b}.d_lat and ${b}.lat + ${b}.d_lat and a.lon between ${b}.lon - ${b}.d_lon and ${b}.lon + ${b}.d_lon
        and a.created_at + interval '0 s' between ${b}.since and ${b}.until ${extra}
      order by a.created_at + interval '0 s' desc
      limit 200) a)`;
}

const pinnedStatement = defineStatement(
  'gz_duplicate_candidates',
  `select ${candidatesSql('b', 'and a.id <> $id::uuid')} as candidates
   from jsonb_to_record($box::jsonb) as b(category_code text, lat float8, lon float8, d_lat float8, d_lon float8, since timestamptz, until timestamptz)`,
);

/** Candidates as the json of candidatesSql gives them. */
export function candidatesFromJson(rows: (Omit<CandidateCase, 'createdAt'> & { createdAt: string })[]): CandidateCase[] {
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
}

/** The candidates that are probably the same problem as `appeal`, most similar first (similarity ≥ linkBar). */
export function rankCandidates(appeal: AppealRow, rows: CandidateCase[], radiusM: number | null): DuplicateCandidate[] {
  const pinned = appeal.lat !== null && appeal.lon !== null;
  const found: DuplicateCandidate[] = [];
  for (const row of rows) {
    if (row.parentId !== null || row.id === appeal.id) continue;
    const d = pinned && row.lat !== null && row.lon !== null ? distanceM(appeal.lat!, appeal.lon!, row.lat, row.lon) : null;
    if (pinned && (d === null || d > radiusM!)) continue;
    const s = similarity(appeal.text, row.text);
    if (s >= linkBar) found.push({ appeal: row, similarity: round(s, 3), distanceM: d === null ? null : Math.round(d) });
  }
  return found.sort((a, b) => b.similarity - a.similarity || (a.distanceM ?? 0) - (b.distanceM ?? 0) || a.appeal.createdAt.getTime() - b.appeal.createdAt.getTime());
}

async function levelOf(db: Executor, categoryCode: string): Promise<string | null | undefined> {
  return (await db.select({ level: categories.level }).from(categories).where(eq(categories.code, categoryCode)))[0]?.level;
}

/** The open cases `appeal` probably duplicates, most similar first (similarity ≥ linkBar). */
export async function findProbableDuplicates(db: Executor, appeal: AppealRow, level?: string | null): Promise<DuplicateCandidate[]> {
  if (!appeal.categoryCode) return [];
  const categoryLevel = level !== undefined ? level : await levelOf(db, appeal.categoryCode);
  const rule = duplicateRule(appeal.categoryCode, categoryLevel);
  if (rule.radiusM === null) return [];
  const box = candidateBox(appeal, categoryLevel);
  if (box) {
    const [row] = await runStatement<{ candidates: Parameters<typeof candidatesFromJson>[0] }>(db, pinnedStatement, { box: JSON.stringify(box), id: appeal.id });
    return rankCandidates(appeal, candidatesFromJson(row!.candidates), rule.radiusM);
  }
  // Without a pin: the same territory (a grid, or the community an address named).
  const since = new Date(appeal.createdAt.getTime() - rule.windowDays * 86_400_000);
  const rows = await db
    .select(candidateColumns)
    .from(appeals)
    .where(
      and(
        eq(appeals.categoryCode, appeal.categoryCode),
        eq(appeals.territoryPath, appeal.territoryPath),
        sql`${appeals.status} not in ('closed', 'merged')`,
        ne(appeals.id, appeal.id),
        isNull(appeals.parentId),
        gte(appeals.createdAt, since),
        lte(appeals.createdAt, appeal.createdAt),
      ),
    )
    .orderBy(sql`${appeals.createdAt} desc`)
    .limit(200);
  return rankCandidates(appeal, rows, null);
}
