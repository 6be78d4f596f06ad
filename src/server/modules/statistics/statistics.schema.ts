import { Type, type TSchema } from 'typebox';
import { Nullable, Uuid } from '../../lib/schemas.ts';
import { metrics, type BreakdownMetric, type Metric } from './metrics.ts';
import { rateNames, type RateName } from './rates.ts';

/** Longest period one call may ask for, in days. */
export const maxPeriodDays = 400;

/** A day on the Shanghai calendar. */
const calendarDate = (description: string) => Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: `${description} (YYYY-MM-DD)` });

const PeriodParams = {
  territory: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Territory code, city down to community. Default: the city, or for callers scoped below it their own territory',
    }),
  ),
  from: Type.Optional(calendarDate('First day, inclusive. Default: the first day of the month of `to`')),
  to: Type.Optional(calendarDate(`Last day, inclusive. Default: today in Shanghai. A period is at most ${maxPeriodDays} days`)),
};

const query = <T extends Record<string, TSchema>>(props: T) => Type.Object({ ...PeriodParams, ...props }, { additionalProperties: false });

export const KpiQuery = query({
  compare: Type.Optional(Type.Enum(['previous'], { description: 'previous: also the period of equal length just before' })),
});
export const TrendQuery = query({
  metrics: Type.Optional(
    Type.String({ pattern: '^[a-z_]+(,[a-z_]+)*$', maxLength: 400, description: 'Comma-separated metric names. Default: received,closed' }),
  ),
});
export const CategoriesQuery = query({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })) });
export const ChannelsQuery = query({});
export const ChildrenQuery = query({});

export const unitSortKeys = ['received', 'responseRate', 'resolutionRate', 'satisfactionRate', 'onTimeRate', 'returned', 'reopened', 'overdue'] as const;
export type UnitSortKey = (typeof unitSortKeys)[number];
export const UnitsQuery = query({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  sort: Type.Optional(Type.Enum(unitSortKeys, { default: 'received' })),
  order: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'desc', description: 'Units without a figure for a rate come last either way' })),
});

/** The metrics each view reports, beside the rates computed from them. */
// By category and by channel only what those rollups keep (breakdownMetrics).
export const categoryMetrics = ['received', 'rated', 'resolved', 'satisfied', 'basically_satisfied', 'unsatisfied', 'reopened'] as const satisfies readonly BreakdownMetric[];
export const channelMetrics = ['received', 'closed', 'rated', 'satisfied', 'basically_satisfied'] as const satisfies readonly BreakdownMetric[];
export const unitMetrics = [
  'received',
  'dispatched',
  'signed_on_time',
  'closed',
  'closed_on_time',
  'rated',
  'resolved',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'returned',
  'extended',
  'reopened',
  'overdue',
] as const satisfies readonly Metric[];
export const childMetrics = [
  'received',
  'dispatched',
  'signed_on_time',
  'closed',
  'closed_on_time',
  'rated',
  'resolved',
  'satisfied',
  'basically_satisfied',
] as const satisfies readonly Metric[];

const totalsSchema = (list: readonly Metric[]) =>
  Type.Object(Object.fromEntries(list.map((m) => [m, Type.Integer()])), { description: 'Sums of the metrics over the period' });
const ratesSchema = (list: readonly RateName[]) =>
  Type.Object(Object.fromEntries(list.map((r) => [r, Nullable(Type.Number())])), {
    description: 'Ratios rounded to 4 decimals; null when the denominator is 0',
  });

const TerritoryRef = Type.Object({
  code: Type.String(),
  level: Type.String(),
  path: Type.String(),
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
});
const PeriodView = Type.Object({ from: Type.String(), to: Type.String(), days: Type.Integer() });

const PeriodFigures = Type.Object({ period: PeriodView, totals: totalsSchema(metrics), rates: ratesSchema(rateNames) });

export const KpiView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  totals: totalsSchema(metrics),
  rates: ratesSchema(rateNames),
  previous: Type.Optional(PeriodFigures),
});

export const TrendView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  dates: Type.Array(Type.String(), { description: 'Every day of the period' }),
  series: Type.Array(Type.Object({ metric: Type.String(), values: Type.Array(Type.Integer(), { description: 'One value per date' }) })),
});

export const CategoriesView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  total: Type.Integer({ description: 'Categories with figures in the period' }),
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      nameZh: Nullable(Type.String()),
      nameEn: Nullable(Type.String()),
      parentCode: Nullable(Type.String()),
      totals: totalsSchema(categoryMetrics),
      rates: ratesSchema(['resolutionRate', 'satisfactionRate']),
    }),
  ),
});

export const ChannelsView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  items: Type.Array(
    Type.Object({
      channel: Type.String(),
      share: Nullable(Type.Number({ description: 'Share of the cases received, 4 decimals' })),
      totals: totalsSchema(channelMetrics),
      rates: ratesSchema(['satisfactionRate']),
    }),
  ),
});

export const UnitsView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  sort: Type.Enum(unitSortKeys),
  order: Type.Enum(['asc', 'desc']),
  total: Type.Integer({ description: 'Units within the territory with figures in the period' }),
  items: Type.Array(
    Type.Object({
      id: Uuid,
      code: Type.String(),
      nameZh: Type.String(),
      nameEn: Nullable(Type.String()),
      type: Type.String(),
      territoryCode: Type.String(),
      totals: totalsSchema(unitMetrics),
      rates: ratesSchema(rateNames),
    }),
  ),
});

export const ChildrenView = Type.Object({
  territory: TerritoryRef,
  period: PeriodView,
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      level: Type.String(),
      path: Type.String(),
      nameZh: Type.String(),
      nameEn: Nullable(Type.String()),
      totals: totalsSchema(childMetrics),
      rates: ratesSchema(rateNames),
    }),
    { description: 'Child territories in code order; empty below the community level (rollups stop there)' },
  ),
});
