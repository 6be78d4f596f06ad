// 工作台: queues with counts, filters, search, batch actions on selected cases, and keyboard moves
// (/ search, j/k, Enter open, x select, a select the page, d/u/b batch dispatch/urge/supervise).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Alert, App, Badge, Button, DatePicker, Input, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { InputRef } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, qs, type ListItem } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { categoryName, nameOf, useCategories } from '../../lib/reference';
import { formatCode, formatTime, remaining } from '../../lib/time';
import { RequireLogin } from '../auth/RequireLogin';
import { AntShell } from '../../lib/AntShell';
import { useAuth, hasRole } from '../auth/auth';
import { StatusTag } from '../resident/AppealView';
import { BatchActions, batchKeys, mayBatch, batchActions, type BatchAction } from './BatchActions';

export const queues = ['to_dispatch', 'to_sign', 'in_progress', 'due_soon', 'overdue', 'returned', 'supervised', 'co_handled', 'replied', 'closed', 'all'] as const;
const channels = ['app', 'web', 'hotline', 'mailbox', 'wechat', 'letter', 'walk_in', 'patrol', 'api', 'import', 'open311'];

function Queues() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const categories = useCategories();
  const queue = params.get('queue') ?? 'to_sign';
  const filters = useMemo(
    () => ({
      categoryCode: params.get('categoryCode') ?? undefined,
      channel: params.get('channel') ?? undefined,
      urgency: params.get('urgency') ?? undefined,
      territory: params.get('territory') ?? undefined,
      from: params.get('from') ?? undefined,
      to: params.get('to') ?? undefined,
      q: params.get('q') ?? undefined,
    }),
    [params],
  );
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [rows, setRows] = useState<ListItem[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [cursor, setCursor] = useState(0);
  const search = useRef<InputRef>(null);
  const [selection, setSelection] = useState<Map<string, ListItem>>(new Map());
  const [batch, setBatch] = useState<BatchAction | null>(null);
  const [reload, setReload] = useState(0);
  const canBatch = batchActions.some((a) => mayBatch(me, a));
  // A new queue or new filters start a new selection.
  useEffect(() => setSelection(new Map()), [queue, filters]);
  const toggle = useCallback((list: ListItem[]) => {
    setSelection((old) => {
      const next = new Map(old);
      const all = list.every((r) => next.has(r.id));
      for (const r of list) {
        if (all) next.delete(r.id);
        else next.set(r.id, r);
      }
      return next;
    });
  }, []);

  const set = useCallback(
    (patch: Record<string, string | undefined>) => {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(patch)) if (v) next.set(k, v);
      else next.delete(k);
      setParams(next, { replace: true });
      setPage(1);
    },
    [params, setParams],
  );

  useEffect(() => {
    let live = true;
    setLoading(true);
    api.get<{ total: number; items: ListItem[] }>(`/appeals${qs({ queue, ...filters, limit: 20, offset: (page - 1) * 20 })}`).then(
      (r) => {
        if (!live) return;
        setRows(r.items);
        setTotal(r.total);
        setError(null);
        setCursor(0);
        setLoading(false);
      },
      (err) => live && (setError(errorText(err)), setLoading(false)),
    );
    // Each queue's count, with the same filters.
    void Promise.all(
      queues.map((q) =>
        api.get<{ total: number }>(`/appeals${qs({ queue: q, ...filters, limit: 1 })}`).then(
          (r) => [q, r.total] as const,
          () => [q, -1] as const,
        ),
      ),
    ).then((list) => live && setCounts(Object.fromEntries(list)));
    return () => {
      live = false;
    };
  }, [queue, filters, page, reload]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      if (batch || e.ctrlKey || e.metaKey || e.altKey || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable) return;
      if (e.key === '/') {
        e.preventDefault();
        search.current?.focus();
      } else if (e.key === 'j') setCursor((c) => Math.min(rows.length - 1, c + 1));
      else if (e.key === 'k') setCursor((c) => Math.max(0, c - 1));
      else if (e.key === 'Enter' && rows[cursor] && target.tagName !== 'BUTTON' && target.tagName !== 'A') navigate(`/workbench/case/${rows[cursor].id}`);
      else if (canBatch && e.key === 'x' && rows[cursor]) toggle([rows[cursor]]);
      else if (canBatch && e.key === 'a' && rows.length > 0) toggle(rows);
      else if (batchKeys[e.key] && selection.size > 0 && mayBatch(me, batchKeys[e.key]!)) {
        e.preventDefault();
        setBatch(batchKeys[e.key]!);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, cursor, navigate, batch, canBatch, toggle, selection, me]);

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('workbench.queues')}
        </Typography.Title>
        {hasRole(me, 'operator', 'admin', 'dispatcher') && (
          <Link to="/workbench/intake">
            <Button type="primary">{t('workbench.intake')}</Button>
          </Link>
        )}
      </Space>
      <Tabs
        activeKey={queue}
        onChange={(q) => set({ queue: q })}
        items={queues.map((q) => ({
          key: q,
          label: (
            <span data-testid={`queue-${q}`}>
              {t(`queue.${q}`)} <Badge count={counts[q] ?? 0} showZero overflowCount={9999} color={q === 'overdue' ? 'red' : '#8c8c8c'} />
            </span>
          ),
        }))}
      />
      <Space wrap style={{ marginBottom: 12 }} aria-label={t('workbench.filters')}>
        <Input.Search
          ref={search}
          aria-label={t('workbench.search')}
          placeholder={t('workbench.search')}
          defaultValue={filters.q}
          allowClear
          onSearch={(v) => set({ q: v.trim() || undefined })}
          style={{ width: 220 }}
        />
        <Select
          aria-label={t('workbench.category')}
          placeholder={t('workbench.category')}
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 180 }}
          value={filters.categoryCode}
          onChange={(v?: string) => set({ categoryCode: v })}
          options={categories.filter((c) => c.parentCode).map((c) => ({ value: c.code, label: nameOf(c) }))}
        />
        <Select
          aria-label={t('workbench.channel')}
          placeholder={t('workbench.channel')}
          allowClear
          style={{ width: 120 }}
          value={filters.channel}
          onChange={(v?: string) => set({ channel: v })}
          options={channels.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
        />
        <Select
          aria-label={t('workbench.urgency')}
          placeholder={t('workbench.urgency')}
          allowClear
          style={{ width: 110 }}
          value={filters.urgency}
          onChange={(v?: string) => set({ urgency: v })}
          options={[
            { value: 'normal', label: t('resident.normal') },
            { value: 'urgent', label: t('resident.urgent') },
          ]}
        />
        <Input aria-label={t('workbench.territory')} placeholder={t('workbench.territory')} defaultValue={filters.territory} style={{ width: 150 }} onBlur={(e) => set({ territory: e.target.value.trim() || undefined })} />
        <DatePicker.RangePicker
          aria-label={`${t('workbench.from')} – ${t('workbench.to')}`}
          onChange={(r) => set({ from: r?.[0]?.startOf('day').toISOString(), to: r?.[1]?.endOf('day').toISOString() })}
        />
      </Space>
      {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 12 }} />}
      {canBatch && (
        <div className="gz-batchbar">
          <BatchActions
            me={me}
            selected={[...selection.values()]}
            action={batch}
            onOpen={setBatch}
            onClose={() => setBatch(null)}
            onFinished={(failed) => {
              setSelection((old) => new Map([...old].filter(([id]) => failed.includes(id))));
              setReload((n) => n + 1);
            }}
          />
        </div>
      )}
      <Table<ListItem>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        rowClassName={(_r, i) => (i === cursor ? 'gz-row-active' : '')}
        rowSelection={
          canBatch
            ? {
                selectedRowKeys: [...selection.keys()],
                preserveSelectedRowKeys: true,
                onChange: (keys, picked) =>
                  setSelection((old) => new Map(keys.map((k) => [String(k), picked.find((r) => r?.id === k) ?? old.get(String(k))!]).filter(([, r]) => r) as [string, ListItem][])),
                getCheckboxProps: (r) => ({ 'aria-label': `${t('workbench.select')} ${formatCode(r.code)}` }),
              }
            : undefined
        }
        pagination={{ current: page, total, pageSize: 20, showSizeChanger: false, onChange: setPage }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('workbench.code'), dataIndex: 'code', render: (c: string, r) => <Link to={`/workbench/case/${r.id}`}>{formatCode(c)}</Link>, width: 140 },
          { title: t('workbench.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} />, width: 90 },
          {
            title: t('workbench.text'),
            dataIndex: 'text',
            ellipsis: true,
            render: (s: string, r) => (
              <>
                {r.urgency === 'urgent' && <Tag color="red">{t('resident.urgent')}</Tag>}
                {r.supervised && <Tag color="purple">{t('workbench.supervisedTag')}</Tag>}
                {s}
              </>
            ),
          },
          { title: t('workbench.category'), dataIndex: 'categoryCode', render: (c: string | null) => categoryName(categories, c), width: 150 },
          { title: t('workbench.channel'), dataIndex: 'channel', render: (c: string) => t(`channel.${c}`), width: 80 },
          { title: t('workbench.created'), dataIndex: 'createdAt', render: formatTime, width: 150 },
          {
            title: t('workbench.due'),
            dataIndex: 'resolveDueAt',
            width: 150,
            render: (d: string | null) => {
              const r = remaining(d);
              if (!r) return '—';
              return <span style={{ color: r.ms < 0 ? '#cf1322' : undefined }}>{r.ms < 0 ? t('workbench.overdueBy', { t: r.text }) : t('workbench.left', { t: r.text })}</span>;
            },
          },
        ]}
      />
      <Typography.Paragraph type="secondary">{t('workbench.shortcuts')}</Typography.Paragraph>
    </>
  );
}

export default function QueuesPage() {
  return (
    <AntShell>
      <App>
      <RequireLogin>
        <Queues />
      </RequireLogin>
      </App>
    </AntShell>
  );
}
