// 一屏观天下: the KPIs for today / this week / this month come first. This chunk is plain React
// (no antd, no charts) and the entry has already asked for the month's KPIs (kpi.ts), so the
// cards wait only for the sign-in check; DashboardDetails (antd, ECharts, Leaflet) loads once they
// are in: trend, rankings, channel mix, the sub-territories with a heat map (click to drill down),
// hotspots and 每月一题, a live ticker, CSV/Excel export.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { nameOf } from '../../lib/reference';
import { RequireLogin } from '../auth/RequireLogin';
import { fetchKpi, kpiUrl, pct, periodRange, type Kpi, type Period } from './kpi';

const DashboardDetails = lazy(() => import('./DashboardDetails'));

function Dashboard() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<Period>('month');
  const [trail, setTrail] = useState<{ code: string; name: string }[]>([]);
  const territory = trail.at(-1)?.code;
  const [kpi, setKpi] = useState<Kpi | null>(null);
  const [error, setError] = useState<string | null>(null);
  const range = useMemo(() => periodRange(period), [period]);

  useEffect(() => {
    let live = true;
    setError(null);
    fetchKpi(kpiUrl(territory, range)).then(
      (k) => live && setKpi(k),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [range, territory]);

  const here = kpi?.territory;
  const totals = kpi?.totals ?? {};
  const kpis: [string, string | number][] = [
    ['volume', totals.received ?? 0],
    ['responseRate', pct(kpi?.rates.responseRate)],
    ['resolutionRate', pct(kpi?.rates.resolutionRate)],
    ['satisfactionRate', pct(kpi?.rates.satisfactionRate)],
    ['onTimeRate', pct(kpi?.rates.onTimeRate)],
    ['closed', totals.closed ?? 0],
    ['overdue', totals.overdue ?? 0],
    ['returned', totals.returned ?? 0],
    ['reopened', totals.reopened ?? 0],
  ];

  return (
    <>
      <div className="gz-dash-head">
        <h1>
          {t('dashboard.title')} · {here ? nameOf(here) : ''}
        </h1>
        <div role="group" aria-label={t('dashboard.period')} className="gz-seg">
          {(['today', 'week', 'month'] as const).map((p) => (
            <button type="button" key={p} aria-pressed={period === p} onClick={() => setPeriod(p)}>
              {t(`dashboard.${p}`)}
            </button>
          ))}
        </div>
      </div>
      <nav aria-label={t('dashboard.levels')} className="gz-crumbs">
        <button type="button" onClick={() => setTrail([])} aria-current={trail.length === 0 ? 'location' : undefined}>
          {t('dashboard.up')} ⤒
        </button>
        {trail.map((x, i) => (
          <span key={x.code}>
            {' / '}
            <button type="button" onClick={() => setTrail((tr) => tr.slice(0, i + 1))} aria-current={i === trail.length - 1 ? 'location' : undefined}>
              {x.name}
            </button>
          </span>
        ))}
      </nav>
      {error && (
        <div className="gz-alert" role="alert">
          {error}
        </div>
      )}
      {/* data-territory appears once the KPIs of a place are in (the dashboard bench waits for it). */}
      <dl className="gz-kpis" data-testid="kpis" data-territory={kpi?.territory.code} aria-busy={!kpi}>
        {kpis.map(([k, v]) => (
          <div className="gz-kpi-card" key={k}>
            <dt>{t(`dashboard.${k}`)}</dt>
            <dd data-testid={`kpi-${k}`}>{!kpi ? '…' : typeof v === 'number' ? v.toLocaleString('zh-CN') : v}</dd>
          </div>
        ))}
      </dl>
      {/* Loaded once the KPIs are in, so that its code does not hold the cards up. */}
      {(kpi || error) && (
        <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
          <DashboardDetails territory={territory} here={here} period={period} range={range} onDrill={(code, name) => setTrail((tr) => [...tr, { code, name }])} />
        </Suspense>
      )}
    </>
  );
}

export default function DashboardPage() {
  return (
    <RequireLogin>
      <Dashboard />
    </RequireLogin>
  );
}
