// 工单详情: everything a handler needs on one page, and the actions the server allows.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, App, Button, Card, Col, Descriptions, Popconfirm, Row, Space, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FeatureCollection } from 'geojson';
import { api, type StaffAppeal } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { categoryName, nameOf, useCategories } from '../../lib/reference';
import { formatCode, formatTime, remaining } from '../../lib/time';
import { RequireLogin } from '../auth/RequireLogin';
import { AntShell } from '../../lib/AntShell';
import { AppealTimeline, PhotoStrip, StatusTag } from '../resident/AppealView';
import { ActionPanel } from './ActionPanel';

const TerritoryMap = lazy(() => import('../map/TerritoryMap'));

function Deadline({ label, at }: { label: string; at: string | null }) {
  const { t } = useTranslation();
  const r = remaining(at);
  return (
    <Descriptions.Item label={label}>
      {formatTime(at)}{' '}
      {r && <Tag color={r.ms < 0 ? 'red' : r.ms < 4 * 3_600_000 ? 'orange' : 'green'}>{r.ms < 0 ? t('workbench.overdueBy', { t: r.text }) : t('workbench.left', { t: r.text })}</Tag>}
    </Descriptions.Item>
  );
}

function Case({ id }: { id: string }) {
  const { t } = useTranslation();
  const categories = useCategories();
  const [appeal, setAppeal] = useState<StaffAppeal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const [contact, setContact] = useState<{ contactName: string | null; contactPhone: string | null } | null>(null);
  const [geojson, setGeojson] = useState<FeatureCollection | null>(null);

  const load = useCallback(() => {
    api.get<StaffAppeal>(`/appeals/${id}`).then(setAppeal, (err) => setError(errorText(err)));
  }, [id]);
  useEffect(load, [load]);

  const path = appeal?.territoryPath;
  useEffect(() => {
    if (!path) return;
    const codes = path.split('.');
    const community = codes[Math.min(codes.length - 1, 3)];
    api.get<FeatureCollection>(`/territories/geojson?root=${community}&level=grid`).then(setGeojson, () => setGeojson(null));
  }, [path]);

  if (error) return <Alert type="error" title={error} role="alert" />;
  if (!appeal) return <Spin />;
  const grid = appeal.territoryPath.split('.').pop() ?? null;
  const lead = appeal.handlers.find((h) => h.role === 'lead');

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Link to="/workbench">← {t('workbench.back')}</Link>
      </Space>
      <Typography.Title level={1} style={{ fontSize: 20 }}>
        {t('workbench.case')} {formatCode(appeal.code)} <StatusTag status={appeal.status} />
        {appeal.urgency === 'urgent' && <Tag color="red">{t('resident.urgent')}</Tag>}
        {appeal.supervised && <Tag color="purple">{t('workbench.supervisedTag')}</Tag>}
        {appeal.urgeCount > 0 && <Tag color="orange">{t('workbench.urgeCount', { n: appeal.urgeCount })}</Tag>}
      </Typography.Title>
      {gone && <Alert type="info" title={t('workbench.noActions')} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('workbench.actions')} style={{ marginBottom: 16 }}>
            <ActionPanel
              appeal={appeal}
              onDone={(a) => {
                if (a) setAppeal(a);
                else {
                  setGone(true);
                  load();
                }
              }}
            />
          </Card>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Typography.Paragraph style={{ fontSize: 16 }} data-testid="case-text">
              {appeal.text}
            </Typography.Paragraph>
            <PhotoStrip photos={appeal.photos} />
            <Descriptions column={1} size="small" style={{ marginTop: 12 }}>
              <Descriptions.Item label={t('workbench.category')}>{categoryName(categories, appeal.categoryCode)}</Descriptions.Item>
              <Descriptions.Item label={t('workbench.channel')}>{t(`channel.${appeal.channel}`)}</Descriptions.Item>
              <Descriptions.Item label={t('resident.place')}>{appeal.place}</Descriptions.Item>
              <Descriptions.Item label={t('workbench.address')}>{appeal.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('workbench.created')}>{formatTime(appeal.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('workbench.contact')}>
                <Space>
                  <span data-testid="contact">{contact ? `${contact.contactName ?? '—'} ${contact.contactPhone ?? ''}` : `${appeal.contact.contactName ?? '—'} ${appeal.contact.contactPhone ?? ''}`}</span>
                  {!contact && appeal.allowedActions.includes('reveal_contact') && (
                    <Popconfirm
                      title={t('workbench.revealConfirm')}
                      okText={t('actions.confirm')}
                      cancelText={t('actions.cancel')}
                      onConfirm={() => api.post<typeof contact>(`/appeals/${appeal.id}/reveal-contact`).then(setContact, (err) => setError(errorText(err)))}
                    >
                      <Button size="small">{t('workbench.reveal')}</Button>
                    </Popconfirm>
                  )}
                </Space>
              </Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={t('resident.timeline')}>
            <AppealTimeline entries={appeal.timeline} />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('workbench.deadlines')} style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small">
              <Deadline label={t('workbench.signDue')} at={appeal.signDueAt} />
              <Deadline label={t('workbench.replyDue')} at={appeal.replyDueAt} />
              <Deadline label={t('workbench.resolveDue')} at={appeal.resolveDueAt} />
            </Descriptions>
          </Card>
          <Card size="small" title={t('workbench.route')} style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('workbench.lead')}>{lead ? lead.nameZh : nameOf(appeal.leadUnit)}</Descriptions.Item>
              {appeal.handlers
                .filter((h) => h.role !== 'lead')
                .map((h) => (
                  <Descriptions.Item key={h.id} label={t('workbench.co')}>
                    {h.nameZh}
                  </Descriptions.Item>
                ))}
              <Descriptions.Item label={t('workbench.routeReason')}>{appeal.routeReason ?? '—'}</Descriptions.Item>
              {appeal.duplicateOf && (
                <Descriptions.Item label={t('workbench.duplicateOf')}>
                  <Link to={`/workbench/case/${appeal.duplicateOf.id}`}>{formatCode(appeal.duplicateOf.code)}</Link>
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Card size="small" title={t('workbench.map')}>
            <Suspense fallback={<div className="gz-map" />}>
              <TerritoryMap geojson={geojson} highlight={grid} pin={appeal.lon !== null && appeal.lat !== null ? { lon: appeal.lon, lat: appeal.lat } : null} label={t('workbench.map')} />
            </Suspense>
          </Card>
        </Col>
      </Row>
    </>
  );
}

export default function CasePage() {
  const { id } = useParams();
  return (
    <AntShell>
      <App>
      <RequireLogin>{id && <Case key={id} id={id} />}</RequireLogin>
      </App>
    </AntShell>
  );
}
