// Everything on the dashboard below the KPI cards: trend, live ticker, map with the heat of the
// sub-territories (click to drill down), rankings, channel mix, hotspots, exports. A chunk of its
// own (ECharts, Leaflet, antd Table): the KPI cards do not wait for it.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Row, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FeatureCollection } from 'geojson';
import { api, qs } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { nameOf } from '../../lib/reference';
import { shanghaiDate } from '../../lib/time';
import { EChart } from './EChart';
import { exportCsv, exportXlsx } from './exportTable';
import { HotspotsCard } from './HotspotsCard';
import { LiveTicker } from './LiveTicker';
import { AntShell } from '../../lib/AntShell';
import { childLevel, pct, type Period, type Rates, type TerritoryRef } from './kpi';

const TerritoryMap = lazy(() => import('../map/TerritoryMap'));

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

export default function DashboardDetails(props: Parameters<typeof Details>[0]) {
  return (
    <AntShell>
      <App>
        <Details {...props} />
      </App>
    </AntShell>
  );
}

function Details({
  territory,
  here,
  period,
  range,
  onDrill,
}: {
  /** The territory asked for (undefined: the caller's own). */
  territory: string | undefined;
  /** The territory the KPIs are for, once known (its level decides the map's layer). */
  here: TerritoryRef | undefined;
  period: Period;
  range: { from: string; to: string };
  onDrill: (code: string, name: string) => void;
}) {
  const { t } = useTranslation();
  const [children, setChildren] = useState<Child[]>([]);
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [categories, setCategories] = useState<CategoryRow[]>([]);
  const [channels, setChannels] = useState<ChannelRow[]>([]);
  const [trend, setTrend] = useState<{ dates: string[]; series: { metric: string; values: number[] }[] } | null>(null);
  const [geojson, setGeojson] = useState<FeatureCollection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { from, to } = range;

  useEffect(() => {
    let live = true;
    const q = (extra: Record<string, string | number> = {}) => qs({ territory, from, to, ...extra });
    const fail = (err: unknown) => live && setError(errorText(err));
    setError(null);
    api.get<{ items: Child[] }>(`/statistics/children${q()}`).then((r) => live && setChildren(r.items), fail);
    api.get<{ items: UnitRow[] }>(`/statistics/units${q({ limit: 20 })}`).then((r) => live && setUnits(r.items), fail);
    api.get<{ items: CategoryRow[] }>(`/statistics/categories${q({ limit: 10 })}`).then((r) => live && setCategories(r.items), fail);
    api.get<{ items: ChannelRow[] }>(`/statistics/channels${q()}`).then((r) => live && setChannels(r.items), fail);
    // The trend always shows the last 30 days, whatever the KPI period.
    const today = shanghaiDate();
    const since = new Date(new Date(`${today}T00:00:00Z`).getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
    api.get<{ dates: string[]; series: { metric: string; values: number[] }[] }>(`/statistics/trend${qs({ territory, from: since, to: today, metrics: 'received,closed,overdue' })}`).then((r) => live && setTrend(r), fail);
    return () => {
      live = false;
    };
  }, [territory, from, to]);

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
    if (c && c.level !== 'grid' && childLevel[c.level]) onDrill(code, name);
  };

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
      {error && <Alert type="error" title={error} role="alert" style={{ marginTop: 12 }} />}
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
