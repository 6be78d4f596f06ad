// What the dashboard's chunks share: the KPI shapes, the periods and the levels; and the early
// KPI request, which the entry sends when the app opens on /dashboard (this file is small and
// part of the entry), so that the cards wait neither for the dashboard's code nor for the
// sign-in check.
import { api, qs } from '../../lib/api';
import { shanghaiDate } from '../../lib/time';

export type Rates = Record<'responseRate' | 'resolutionRate' | 'satisfactionRate' | 'onTimeRate', number | null>;
export interface TerritoryRef {
  code: string;
  level: string;
  nameZh: string;
  nameEn: string | null;
}
export interface Kpi {
  territory: TerritoryRef;
  totals: Record<string, number>;
  rates: Rates;
}

export type Period = 'today' | 'week' | 'month';
export function periodRange(p: Period): { from: string; to: string } {
  const to = shanghaiDate();
  const d = new Date(`${to}T00:00:00Z`);
  if (p === 'today') return { from: to, to };
  if (p === 'week') {
    const back = (d.getUTCDay() + 6) % 7; // Monday starts the week
    return { from: new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10), to };
  }
  return { from: `${to.slice(0, 8)}01`, to };
}

export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(Math.min(x, 1) * 100).toFixed(1)}%`);
export const childLevel: Record<string, string> = { city: 'district', district: 'street', street: 'community', community: 'grid' };

export const kpiUrl = (territory: string | undefined, range: { from: string; to: string }) => `/statistics/kpi${qs({ territory, ...range })}`;

let early: { url: string; response: Promise<Kpi> } | null = null;

/** Asks for the first view's KPIs (the caller's own territory, this month) at once. A visitor who
 *  is not signed in gets a 401 here, and the login page from RequireLogin. */
export function prefetchKpi(): void {
  const url = kpiUrl(undefined, periodRange('month'));
  early = { url, response: api.get<Kpi>(url) };
  early.response.catch(() => undefined);
}

/** The KPIs at `url`: the early response when it is for that and did not fail, else a new request. */
export function fetchKpi(url: string): Promise<Kpi> {
  const prefetched = early;
  early = null;
  return prefetched?.url === url ? prefetched.response.catch(() => api.get<Kpi>(url)) : api.get<Kpi>(url);
}
