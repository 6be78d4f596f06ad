// 我的诉求: every case I reported, its public timeline and reply, and the rating form.
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Alert, Button, Collapse, Empty, Form, Input, Radio, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type PublicAppeal } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { formatCode, formatTime } from '../../lib/time';
import { RequireLogin } from '../auth/RequireLogin';
import { AntShell } from '../../lib/AntShell';
import { AppealView, StatusTag } from './AppealView';
import { ResidentNav } from './ResidentNav';

function RatingForm({ appeal, onRated }: { appeal: PublicAppeal; onRated: () => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(v: { resolution: string; satisfaction: string; comment?: string }) {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/appeals/${appeal.id}/rate`, { resolution: v.resolution, satisfaction: v.satisfaction, ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}) });
      onRated();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  const opts = (group: string, values: string[]) => values.map((v) => ({ value: v, label: t(`${group}.${v}`) }));
  return (
    <Form layout="vertical" onFinish={submit} data-testid="rating-form" requiredMark={false}>
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t('resident.rate')}
      </Typography.Title>
      {appeal.rateBy && <Typography.Paragraph type="secondary">{t('resident.rateBy', { time: formatTime(appeal.rateBy) })}</Typography.Paragraph>}
      <Form.Item name="resolution" label={t('resident.resolved')} rules={[{ required: true, message: t('resident.resolved') }]}>
        <Radio.Group options={opts('resolution', ['resolved', 'partly', 'unresolved'])} />
      </Form.Item>
      <Form.Item name="satisfaction" label={t('resident.satisfied')} rules={[{ required: true, message: t('resident.satisfied') }]} extra={t('resident.reopenNote')}>
        <Radio.Group options={opts('satisfaction', ['satisfied', 'basic', 'unsatisfied'])} />
      </Form.Item>
      <Form.Item name="comment" label={t('resident.comment')}>
        <Input.TextArea rows={2} maxLength={1000} />
      </Form.Item>
      {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" loading={busy} block>
        {t('resident.rateSubmit')}
      </Button>
    </Form>
  );
}

function MyAppeals() {
  const { t } = useTranslation();
  const [list, setList] = useState<PublicAppeal[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.get<PublicAppeal[] | { items: PublicAppeal[] }>('/appeals/mine').then(
      (r) => setList(Array.isArray(r) ? r : r.items),
      (err) => setError(errorText(err)),
    );
  }, []);
  useEffect(load, [load]);
  if (error) return <Alert type="error" title={error} role="alert" />;
  if (!list) return <Spin />;
  if (list.length === 0) return <Empty description={t('resident.empty')} />;
  const rateable = (a: PublicAppeal) => ['replied', 'verified', 'closed'].includes(a.status) && !a.satisfaction;
  return (
    <Collapse
      defaultActiveKey={list[0] ? [list[0].id] : []}
      items={list.map((a) => ({
        key: a.id,
        label: (
          <span data-testid={`appeal-${a.code}`}>
            <StatusTag status={a.status} /> {formatCode(a.code)} · {a.text.slice(0, 24)}
          </span>
        ),
        children: (
          <>
            <AppealView appeal={a} />
            {rateable(a) && <RatingForm appeal={a} onRated={load} />}
            {a.satisfaction && a.resolution && (
              <Typography.Paragraph>{t('resident.rated', { resolution: t(`resolution.${a.resolution}`), satisfaction: t(`satisfaction.${a.satisfaction}`) })}</Typography.Paragraph>
            )}
          </>
        ),
      }))}
    />
  );
}

export default function MyAppealsPage() {
  const { t } = useTranslation();
  return (
    <AntShell>
      <div className="gz-mobile">
        <ResidentNav />
        <section className="gz-panel">
          <h1>{t('resident.mine')}</h1>
          <RequireLogin>
            <MyAppeals />
          </RequireLogin>
        </section>
        <p style={{ marginTop: 12 }}>
          <Link to="/resident/nearby">{t('home.nearby')}</Link>
        </p>
      </div>
    </AntShell>
  );
}
