// 分拨: from a located case and its category to the lead unit at the right level, or to the
// dispatch queue of the nearest appeals service centre. The rule and the reason are recorded.
import type { Db } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { pathCovers } from '../../policy/index.ts';
import { unitDirectory, type UnitDirectory } from '../organisations/unit-directory.ts';
import type { TerritorySummary } from '../territories/territory-index.ts';
import type { Catalogue } from './catalogue.ts';

export interface Route {
  leadOrgId: string | null;
  dispatchOrgId: string;
  /** `default:<category>` or `rule:<id>`; null when the case went to the dispatch queue. */
  rule: string | null;
  reason: string;
}

/** The service centres that own dispatch queues, nearest first. */
const queueLevels = ['street', 'district', 'city'] as const;

export async function routeCase(db: Db, catalogue: Catalogue, chain: TerritorySummary[], categoryCode: string | null): Promise<Route> {
  const first = decide(await unitDirectory(db), catalogue, chain, categoryCode);
  // A unit it needs may have been created within the directory's freshness window: look again.
  if (!first.missing && first.route) return first.route;
  const second = decide(await unitDirectory(db, { verify: true }), catalogue, chain, categoryCode);
  if (second.route) return second.route;
  throw new AppError('unprocessable', 'No appeals service centre serves this place; an administrator must set one up.');
}

function decide(units: UnitDirectory, catalogue: Catalogue, chain: TerritorySummary[], categoryCode: string | null): { route: Route | null; missing: boolean } {
  const byLevel = new Map(chain.map((t) => [t.level, t]));
  const casePath = chain[chain.length - 1]!.path;
  const queue = queueLevels
    .map((l) => byLevel.get(l))
    .map((t) => t && units.find(t.id, 'hotline_center'))
    .find(Boolean);
  if (!queue) return { route: null, missing: true };

  if (!categoryCode) return { route: { leadOrgId: null, dispatchOrgId: queue, rule: null, reason: 'No category: a dispatcher places the case.' }, missing: false };
  const category = catalogue.categories.get(categoryCode);
  if (!category || !category.active || !category.deptType) {
    return { route: { leadOrgId: null, dispatchOrgId: queue, rule: null, reason: `Category ${categoryCode} has no route: a dispatcher places the case.` }, missing: false };
  }
  const rule = catalogue.rules.get(categoryCode)?.find((r) => pathCovers(r.territoryPath, casePath));
  const level = rule?.level ?? category.level;
  const deptType = rule?.deptType ?? category.deptType;
  const target = level ? byLevel.get(level) : undefined;
  const lead = target ? units.find(target.id, deptType) : undefined;
  const ruleName = rule ? `rule:${rule.id}` : `default:${category.code}`;
  const why = rule ? `a routing rule for ${rule.territoryPath}` : `the default route of ${category.nameZh}`;
  if (!lead || !target) {
    const reason = `No ${deptType} unit at ${level} level ${target ? `in ${target.nameZh}` : 'here'} (${why}): a dispatcher places the case.`;
    return { route: { leadOrgId: null, dispatchOrgId: queue, rule: ruleName, reason }, missing: Boolean(target) };
  }
  const reason = `${category.nameZh} → ${deptType} of ${target.nameZh} (${level} level, by ${why}).`;
  return { route: { leadOrgId: lead, dispatchOrgId: queue, rule: ruleName, reason }, missing: false };
}
