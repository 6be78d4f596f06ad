// 一屏观天下: KPIs for today / this week / this month, trend, category and unit rankings, channel
// mix, the sub-territories with a heat map (click to drill down), hotspots and 每月一题, a live
// ticker, CSV/Excel export.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Alert, App, Breadcrumb, Button, Card, Col, Row, Segmented, Space, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FeatureCollection } from 'geojson';
import { api, qs } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { nameOf } from '../../lib/reference';
import { shanghaiDate } from '../../lib/time';
import { RequireLogin } from '../auth/RequireLogin';
import { AntShell } from '../../lib/AntShell';
import { EChart } from './EChart';
import { exportCsv, exportXlsx } from './exportTable';
import { HotspotsCard } from './HotspotsCard';
import { LiveTicker } from './LiveTicker';

const TerritoryMap = lazy(() => import('../map/TerritoryMap'));

type Rates = Record<'responseRate' | 'resolutionRate' | 'satisfactionRate' | 'onTimeRate', number | null>;
interface TerritoryRef {
  code: string;
  level: string;
  nameZh: string;
  nameEn: string | null;
}
interface Kpi {
  territory: TerritoryRef;
  totals: Record<string, number>;
  rates: Rates;
}
interface Child extends TerritoryRef {
  totals: Record<string, number>;
  rates: Rates;
}
interface UnitRow {
  id: string;
  nameZh: string;
  nameEn: string | null;
  totals: Record<string, number>;
  rates: Rates;
}
interface CategoryRow {
  code: string;
  nameZh: string | null;
  nameEn: string | null;
  totals: Record<string, number>;
}
interface ChannelRow {
  channel: string;
  totals: Record<string, number>;
}

type Period = 'today' | 'week' | 'month';
function periodRange(p: Period): { from: string; to: string } {
  const to = shanghaiDate();
  const d = new Date(`${to}T00:00:00Z`);
  if (p === 'today') return { from: to, to };
  if (p === 'week') {
    const back = (d.getUTCDay() + 6) % 7; // Monday starts the week
    return { from: new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10), to };
  }
  return { from: `${to.slice(0, 8)}01`, to };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(Math.min(x, 1) * 100).toFixed(1)}%`);
const childLevel: Record<string, string> = { city: 'district', district: 'street', street: 'community', community: 'grid' };

function Dashboard() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<Period>('month');
  const [trail, setTrail] = useState<{ code: string; name: string }[]>([]);
  const territory = trail.at(-1)?.code;
  const [kpi, setKpi] = useState<Kpi | null>(null);
  const [children, setChildren] = useState<Child[]>([]);
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [categories, setCategories] = useState<CategoryRow[]>([]);
  const [channels, setChannels] = useState<ChannelRow[]>([]);
  const [trend, setTrend] = useState<{ dates: string[]; series: { metric: string; values: number[] }[] } | null>(null);
  const [geojson, setGeojson] = useState<FeatureCollection | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const range = periodRange(period);
    const q = (extra: Record<string, string | number> = {}) => qs({ territory, ...range, ...extra });
    const fail = (err: unknown) => live && setError(errorText(err));
    setError(null);
    api.get<Kpi>(`/statistics/kpi${q()}`).then((k) => live && setKpi(k), fail);
    api.get<{ items: Child[] }>(`/statistics/children${q()}`).then((r) => live && setChildren(r.items), fail);
    api.get<{ items: UnitRow[] }>(`/statistics/units${q({ limit: 20 })}`).then((r) => live && setUnits(r.items), fail);
    api.get<{ items: CategoryRow[] }>(`/statistics/categories${q({ limit: 10 })}`).then((r) => live && setCategories(r.items), fail);
    api.get<{ items: ChannelRow[] }>(`/statistics/channels${q()}`).then((r) => live && setChannels(r.items), fail);
    // The trend always shows the last 30 days, whatever the KPI period.
    const to = shanghaiDate();
    const from = new Date(new Date(`${to}T00:00:00Z`).getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
    api.get<{ dates: string[]; series: { metric: string; values: number[] }[] }>(`/statistics/trend${qs({ territory, from, to, metrics: 'received,closed,overdue' })}`).then((r) => live && setTrend(r), fail);
    return () => {
      live = false;
    };
  }, [period, territory]);

  const here = kpi?.territory;
  useEffect(() => {
    if (!here) return;
    const level = childLevel[here.level];
    if (!level || level === 'grid') {
      setGeojson(null);
      return;
    }
    api.get<FeatureCollection>(`/territories/geojson${qs({ root: here.code, level })}`).then(
      (g) => setGeojson({ ...g, features: g.features.filter((f) => f.properties?.level === level) }),
      () => setGeojson(null),
    );
  }, [here]);

  const heat = useMemo(() => {
    const max = Math.max(1, ...children.map((c) => c.totals.received ?? 0));
    return Object.fromEntries(children.map((c) => [c.code, (c.totals.received ?? 0) / max]));
  }, [children]);

  const drill = (code: string, name: string) => {
    const c = children.find((x) => x.code === code);
    if (c && c.level !== 'grid' && childLevel[c.level]) setTrail((tr) => [...tr, { code, name }]);
  };

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

  const childColumns = [
    { title: t('dashboard.name'), value: (r: Child) => nameOf(r) },
    { title: t('dashboard.received'), value: (r: Child) => r.totals.received ?? 0 },
    { title: t('dashboard.closed'), value: (r: Child) => r.totals.closed ?? 0 },
    { title: t('dashboard.responseRate'), value: (r: Child) => pct(r.rates.responseRate) },
    { title: t('dashboard.resolutionRate'), value: (r: Child) => pct(r.rates.resolutionRate) },
    { title: t('dashboard.satisfactionRate'), value: (r: Child) => pct(r.rates.satisfactionRate) },
    { title: t('dashboard.onTimeRate'), value: (r: Child) => pct(r.rates.onTimeRate) },
  ];
  const unitColumns = [
    { title: t('dashboard.unit'), value: (r: UnitRow) => nameOf(r) },
    { title: t('dashboard.received'), value: (r: UnitRow) => r.totals.received ?? 0 },
    { title: t('dashboard.responseRate'), value: (r: UnitRow) => pct(r.rates.responseRate) },
    { title: t('dashboard.satisfactionRate'), value: (r: UnitRow) => pct(r.rates.satisfactionRate) },
    { title: t('dashboard.onTimeRate'), value: (r: UnitRow) => pct(r.rates.onTimeRate) },
    { title: t('dashboard.overdue'), value: (r: UnitRow) => r.totals.overdue ?? 0 },
    { title: t('dashboard.returned'), value: (r: UnitRow) => r.totals.returned ?? 0 },
    { title: t('dashboard.reopened'), value: (r: UnitRow) => r.totals.reopened ?? 0 },
  ];
  const exportButtons = <T,>(name: string, cols: { title: string; value: (r: T) => string | number | null }[], rows: T[]) => (
    <Space>
      <Button size="small" onClick={() => exportCsv(name, cols, rows)}>
        {t('dashboard.exportCsv')}
      </Button>
      <Button size="small" onClick={() => void exportXlsx(name, cols, rows)}>
        {t('dashboard.exportXlsx')}
      </Button>
    </Space>
  );
  const asTable = <T extends object>(cols: { title: string; value: (r: T) => string | number | null }[], onName?: (r: T) => void) =>
    cols.map((c, i) => ({
      title: c.title,
      key: c.title,
      render: (_: unknown, r: T) =>
        i === 0 && onName ? (
          <Button type="link" size="small" onClick={() => onName(r)} style={{ padding: 0 }}>
            {c.value(r)}
          </Button>
        ) : (
          c.value(r)
        ),
    }));

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('dashboard.title')} · {here ? nameOf(here) : ''}
        </Typography.Title>
        <Segmented<Period>
          value={period}
          onChange={setPeriod}
          options={(['today', 'week', 'month'] as const).map((p) => ({ value: p, label: t(`dashboard.${p}`) }))}
          aria-label={t('dashboard.month')}
        />
      </Space>
      <Breadcrumb
        style={{ margin: '8px 0' }}
        items={[
          { title: <a onClick={() => setTrail([])} href="#top" role="button">{t('dashboard.up')} ⤒</a> },
          ...trail.map((x, i) => ({ title: <a onClick={() => setTrail((tr) => tr.slice(0, i + 1))} href="#top" role="button">{x.name}</a> })),
        ]}
      />
      {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Row gutter={[12, 12]} className="gz-kpi" data-testid="kpis">
        {kpis.map(([k, v]) => (
          <Col xs={12} sm={8} md={6} lg={4} xl={3} key={k}>
            <Card size="small">
              <Statistic title={t(`dashboard.${k}`)} value={v} data-testid={`kpi-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('dashboard.trend')}>
            {trend && (
              <EChart
                label={t('dashboard.trend')}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: {},
                  grid: { left: 40, right: 16, top: 36, bottom: 24 },
                  xAxis: { type: 'category', data: trend.dates.map((d) => d.slice(5)) },
                  yAxis: { type: 'value', minInterval: 1 },
                  series: trend.series.map((s) => ({ type: 'line', smooth: true, name: t(`dashboard.${s.metric === 'received' ? 'received' : s.metric}`), data: s.values })),
                }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('dashboard.ticker')}>
            <LiveTicker />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.map')}>
            <Suspense fallback={<div className="gz-map tall" />}>
              <TerritoryMap geojson={geojson} heat={heat} onFeatureClick={drill} label={t('dashboard.map')} tall />
            </Suspense>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              {t('dashboard.mapNote')}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={`${t('dashboard.children')} · ${t('dashboard.drill')}`} extra={exportButtons('children', childColumns, children)}>
            <Table<Child> rowKey="code" size="small" dataSource={children} pagination={{ pageSize: 10 }} columns={asTable(childColumns, (r) => drill(r.code, nameOf(r)))} scroll={{ x: 600 }} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.categories')}>
            <EChart
              label={t('dashboard.categories')}
              option={{
                tooltip: {},
                grid: { left: 120, right: 16, top: 8, bottom: 24 },
                xAxis: { type: 'value', minInterval: 1 },
                yAxis: { type: 'category', inverse: true, data: categories.map((c) => nameOf(c)) },
                series: [{ type: 'bar', data: categories.map((c) => c.totals.received ?? 0), itemStyle: { color: '#b3102a' } }],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.channels')}>
            <EChart
              label={t('dashboard.channels')}
              option={{
                tooltip: { trigger: 'item' },
                legend: { bottom: 0 },
                series: [{ type: 'pie', radius: ['35%', '65%'], data: channels.map((c) => ({ name: t(`channel.${c.channel}`), value: c.totals.received ?? 0 })) }],
              }}
            />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('dashboard.units')} extra={exportButtons('units', unitColumns, units)}>
            <Table<UnitRow> rowKey="id" size="small" dataSource={units} pagination={false} columns={asTable(unitColumns)} scroll={{ x: 800 }} data-testid="units" />
          </Card>
        </Col>
        <Col xs={24}>
          {/* Hotspots have no "today": a day is too short to recur, so today shows the week's. */}
          <HotspotsCard territory={territory} period={period === 'month' ? 'month' : 'week'} />
        </Col>
      </Row>
    </>
  );
}

export default function DashboardPage() {
  return (
    <AntShell>
      <App>
      <RequireLogin>
        <Dashboard />
      </RequireLogin>
      </App>
    </AntShell>
  );
}
