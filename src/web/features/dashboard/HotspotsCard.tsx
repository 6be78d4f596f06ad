// 热点问题 and 每月一题 on the dashboard: recurring problems (category × sub-territory) in the
// period, with their trend against the period before (GET /hotspots), and the month's candidate
// topics ranked by volume, growth, reopenings and dissatisfaction (GET /hotspots/monthly-topics).
// Both tables export to CSV and Excel like the others.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Segmented, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { nameOf } from '../../lib/reference';
import { exportCsv, exportXlsx } from './exportTable';

interface Ref {
  code: string;
  nameZh: string | null;
  nameEn: string | null;
}
interface Trend {
  previousReceived: number;
  change: number;
  growth: number | null;
  direction: 'new' | 'up' | 'down' | 'flat';
}
interface Figures {
  received: number;
  reopened: number;
  rated: number;
  unsatisfied: number;
  reopenRate: number | null;
  dissatisfactionRate: number | null;
  trend: Trend;
}
interface Hotspot extends Figures {
  node: Ref;
  category: Ref;
}
interface Topic extends Figures {
  rank: number;
  category: Ref;
  score: number;
  hotspots: { node: Ref; received: number }[];
}
interface Period {
  label: string;
  from: string;
  to: string;
}

type View = 'hotspots' | 'topics';
interface Column<T> {
  title: string;
  value: (r: T) => string | number | null;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

export function HotspotsCard({ territory, period }: { territory: string | undefined; period: 'week' | 'month' }) {
  const { t } = useTranslation();
  const [view, setView] = useState<View>('hotspots');
  const [hotspots, setHotspots] = useState<{ period: Period; total: number; items: Hotspot[] } | null>(null);
  const [topics, setTopics] = useState<{ period: Period; total: number; items: Topic[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const fail = (err: unknown) => live && setError(errorText(err));
    setError(null);
    api.get<{ period: Period; total: number; items: Hotspot[] }>(`/hotspots${qs({ territory, period, limit: 50 })}`).then((r) => live && setHotspots(r), fail);
    api.get<{ period: Period; total: number; items: Topic[] }>(`/hotspots/monthly-topics${qs({ territory, limit: 10 })}`).then((r) => live && setTopics(r), fail);
    return () => {
      live = false;
    };
  }, [territory, period]);

  const trend = (tr: Trend) => {
    const word = t(`dashboard.dir_${tr.direction}`);
    return tr.growth === null ? word : `${word} ${tr.growth > 0 ? '+' : ''}${(tr.growth * 100).toFixed(0)}%`;
  };
  const hotspotColumns: Column<Hotspot>[] = [
    { title: t('dashboard.area'), value: (r) => nameOf(r.node) },
    { title: t('dashboard.category'), value: (r) => nameOf(r.category) },
    { title: t('dashboard.received'), value: (r) => r.received },
    { title: t('dashboard.trendCol'), value: (r) => trend(r.trend) },
    { title: t('dashboard.reopenRate'), value: (r) => pct(r.reopenRate) },
    { title: t('dashboard.dissatisfaction'), value: (r) => pct(r.dissatisfactionRate) },
  ];
  const topicColumns: Column<Topic>[] = [
    { title: t('dashboard.rank'), value: (r) => r.rank },
    { title: t('dashboard.category'), value: (r) => nameOf(r.category) },
    { title: t('dashboard.received'), value: (r) => r.received },
    { title: t('dashboard.trendCol'), value: (r) => trend(r.trend) },
    { title: t('dashboard.reopenRate'), value: (r) => pct(r.reopenRate) },
    { title: t('dashboard.dissatisfaction'), value: (r) => pct(r.dissatisfactionRate) },
    { title: t('dashboard.score'), value: (r) => r.score.toFixed(2) },
    { title: t('dashboard.where'), value: (r) => r.hotspots.map((h) => `${nameOf(h.node)} ${h.received}`).join('、') },
  ];
  const asTable = <T,>(cols: Column<T>[]) => cols.map((c) => ({ title: c.title, key: c.title, render: (_: unknown, r: T) => c.value(r) }));
  const shown = view === 'hotspots' ? hotspots : topics;
  const file = `${view === 'hotspots' ? 'hotspots' : 'monthly-topics'}-${shown?.period.label ?? ''}`;
  const exportButtons =
    view === 'hotspots' ? (
      <Space>
        <Button size="small" disabled={!hotspots} onClick={() => hotspots && exportCsv(file, hotspotColumns, hotspots.items)}>
          {t('dashboard.exportCsv')}
        </Button>
        <Button size="small" disabled={!hotspots} onClick={() => hotspots && void exportXlsx(file, hotspotColumns, hotspots.items)}>
          {t('dashboard.exportXlsx')}
        </Button>
      </Space>
    ) : (
      <Space>
        <Button size="small" disabled={!topics} onClick={() => topics && exportCsv(file, topicColumns, topics.items)}>
          {t('dashboard.exportCsv')}
        </Button>
        <Button size="small" disabled={!topics} onClick={() => topics && void exportXlsx(file, topicColumns, topics.items)}>
          {t('dashboard.exportXlsx')}
        </Button>
      </Space>
    );

  return (
    <Card size="small" title={t('dashboard.hotspotsTitle')} extra={exportButtons} data-testid="hotspots">
      <Space wrap style={{ marginBottom: 8, justifyContent: 'space-between', width: '100%' }}>
        <Segmented<View>
          value={view}
          onChange={setView}
          options={[
            { value: 'hotspots', label: t('dashboard.hotspots') },
            { value: 'topics', label: t('dashboard.monthlyTopics') },
          ]}
          aria-label={t('dashboard.hotspotsTitle')}
        />
        {shown && (
          <Typography.Text type="secondary">
            {t('dashboard.periodLabel', { label: shown.period.label, from: shown.period.from, to: shown.period.to })}
          </Typography.Text>
        )}
      </Space>
      {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 8 }} />}
      {view === 'hotspots' ? (
        <Table<Hotspot>
          rowKey={(r) => `${r.node.code}:${r.category.code}`}
          size="small"
          dataSource={hotspots?.items ?? []}
          loading={!hotspots && !error}
          pagination={{ pageSize: 10 }}
          columns={asTable(hotspotColumns)}
          scroll={{ x: 640 }}
          locale={{ emptyText: t('dashboard.noHotspots') }}
        />
      ) : (
        <>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {t('dashboard.topicsNote')}
          </Typography.Paragraph>
          <Table<Topic>
            rowKey={(r) => r.category.code}
            size="small"
            dataSource={topics?.items ?? []}
            loading={!topics && !error}
            pagination={false}
            columns={asTable(topicColumns)}
            scroll={{ x: 800 }}
            locale={{ emptyText: t('dashboard.noHotspots') }}
          />
        </>
      )}
    </Card>
  );
}
