// 分拨: from a located case and its category to the lead unit at the right level, or to the
// dispatch queue of the nearest appeals service centre. The rule and the reason are recorded.
import type { Executor } from '../../db/client.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import { AppError } from '../../errors.ts';
import { pathCovers } from '../../policy/index.ts';
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

// Run on every intake, so a fixed statement (db/statements.ts) rather than a built query.
// Organisation edits bump no change counter, so the units are not cached in memory.
const unitsStatement = defineStatement(
  'gz_route_units',
  `select id, type, territory_id as "territoryId" from organisations
   where territory_id = any($territoryIds::uuid[]) and type = any($types::text[]) and kind = 'government' and active`,
);

export async function routeCase(db: Executor, catalogue: Catalogue, chain: TerritorySummary[], categoryCode: string | null): Promise<Route> {
  const byLevel = new Map(chain.map((t) => [t.level, t]));
  const casePath = chain[chain.length - 1]!.path;
  // One query finds both the candidate lead unit and the service centres of the chain.
  const category = categoryCode ? catalogue.categories.get(categoryCode) : undefined;
  const rule = categoryCode ? catalogue.rules.get(categoryCode)?.find((r) => pathCovers(r.territoryPath, casePath)) : undefined;
  const level = rule?.level ?? category?.level ?? null;
  const deptType = rule?.deptType ?? category?.deptType ?? null;
  const target = level ? byLevel.get(level) : undefined;
  const queueTerritories = queueLevels.map((l) => byLevel.get(l)).filter((t): t is TerritorySummary => Boolean(t));
  const territoryIds = [...new Set([...queueTerritories.map((t) => t.id), ...(target ? [target.id] : [])])];
  const units = await runStatement<{ id: string; type: string; territoryId: string }>(db, unitsStatement, {
    territoryIds,
    types: ['hotline_center', ...(deptType ? [deptType] : [])],
  });
  const queue = queueTerritories.map((t) => units.find((u) => u.territoryId === t.id && u.type === 'hotline_center')).find(Boolean);
  if (!queue) throw new AppError('unprocessable', 'No appeals service centre serves this place; an administrator must set one up.');

  if (!categoryCode) return { leadOrgId: null, dispatchOrgId: queue.id, rule: null, reason: 'No category: a dispatcher places the case.' };
  if (!category || !category.active || !category.deptType) {
    return { leadOrgId: null, dispatchOrgId: queue.id, rule: null, reason: `Category ${categoryCode} has no route: a dispatcher places the case.` };
  }
  const lead = target ? units.find((u) => u.territoryId === target.id && u.type === deptType) : undefined;
  const ruleName = rule ? `rule:${rule.id}` : `default:${category.code}`;
  const why = rule ? `a routing rule for ${rule.territoryPath}` : `the default route of ${category.nameZh}`;
  if (!lead || !target) {
    return {
      leadOrgId: null,
      dispatchOrgId: queue.id,
      rule: ruleName,
      reason: `No ${deptType} unit at ${level} level ${target ? `in ${target.nameZh}` : 'here'} (${why}): a dispatcher places the case.`,
    };
  }
  return { leadOrgId: lead.id, dispatchOrgId: queue.id, rule: ruleName, reason: `${category.nameZh} → ${deptType} of ${target.nameZh} (${level} level, by ${why}).` };
}
