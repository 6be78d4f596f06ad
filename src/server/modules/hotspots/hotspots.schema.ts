import { Type } from 'typebox';
import { Nullable } from '../../lib/schemas.ts';

export const periodKinds = ['month', 'quarter', 'week'] as const;
export type PeriodKind = (typeof periodKinds)[number];

const territory = Type.Optional(
  Type.String({ minLength: 1, maxLength: 64, description: 'Territory code, city down to community. Default: the city, or the caller’s own territory when scoped below it' }),
);

export const HotspotsQuery = Type.Object(
  {
    territory,
    period: Type.Optional(Type.Enum(periodKinds, { default: 'month', description: 'month (date YYYY-MM), quarter (YYYY-Qn) or week (any day YYYY-MM-DD of a Monday–Sunday week)' })),
    date: Type.Optional(Type.String({ maxLength: 10, description: 'Which period: YYYY-MM, YYYY-Qn or YYYY-MM-DD as `period` says. Default: the current one' })),
    category: Type.Optional(Type.String({ maxLength: 64, description: 'Only this leaf category' })),
    min: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 2, description: 'Recurring: at least this many cases in the period' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

export const MonthlyTopicsQuery = Type.Object(
  {
    territory,
    month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'YYYY-MM. Default: the month before the current one (the last complete month)' })),
    minVolume: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 3, description: 'Candidates have at least this many cases in the month' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
);

const TerritoryRef = Type.Object({ code: Type.String(), level: Type.String(), path: Type.String(), nameZh: Type.String(), nameEn: Nullable(Type.String()) });
const CategoryRef = Type.Object({
  code: Type.String(),
  nameZh: Nullable(Type.String()),
  nameEn: Nullable(Type.String()),
  groupCode: Nullable(Type.String()),
  groupNameZh: Nullable(Type.String()),
});
const Span = Type.Object({ from: Type.String(), to: Type.String(), days: Type.Integer() });
const PeriodView = Type.Object({
  kind: Type.Enum(periodKinds),
  label: Type.String({ description: '2026-11, 2026-Q4 or 2026-W48' }),
  from: Type.String(),
  to: Type.String({ description: 'Last day counted (today when the period is not over yet)' }),
  days: Type.Integer(),
  previous: Span,
});

const Trend = Type.Object({
  previousReceived: Type.Integer(),
  change: Type.Integer({ description: 'received − previousReceived' }),
  growth: Nullable(Type.Number({ description: 'Change of the cases a day against the previous period (0.5 = +50%); null when the previous period had none' })),
  direction: Type.Enum(['new', 'up', 'down', 'flat'], { description: 'new: none in the previous period; up/down: the daily rate moved by 10% or more' }),
});

const Figures = {
  received: Type.Integer(),
  reopened: Type.Integer(),
  rated: Type.Integer(),
  unsatisfied: Type.Integer(),
  reopenRate: Nullable(Type.Number({ description: 'reopened / received' })),
  dissatisfactionRate: Nullable(Type.Number({ description: 'unsatisfied / rated' })),
};

export const HotspotsView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  /** The nodes the figures are broken down by: the territory's children (or itself, for a community). */
  breakdown: Type.Enum(['children', 'self']),
  total: Type.Integer({ description: 'Recurring node × category pairs before the limit' }),
  items: Type.Array(Type.Object({ node: TerritoryRef, category: CategoryRef, ...Figures, trend: Trend })),
});

export const MonthlyTopicsView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  scoring: Type.Object({
    formula: Type.String(),
    weights: Type.Object({ volume: Type.Number(), growth: Type.Number(), reopen: Type.Number(), dissatisfaction: Type.Number() }),
  }),
  total: Type.Integer({ description: 'Candidates before the limit' }),
  items: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      category: CategoryRef,
      ...Figures,
      trend: Trend,
      score: Type.Number(),
      components: Type.Object({ volume: Type.Number(), growth: Type.Number(), reopen: Type.Number(), dissatisfaction: Type.Number() }),
      hotspots: Type.Array(Type.Object({ node: TerritoryRef, received: Type.Integer() }), { description: 'Where it concentrates: the top child territories' }),
    }),
  ),
});
