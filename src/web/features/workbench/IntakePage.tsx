// 话务受理: an operator types in a phone call. Keyboard first (Tab through, Ctrl+Enter submits),
// possible duplicates shown while typing, and answer-on-the-spot for questions settled on the call.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Alert, App, Button, Card, Col, Form, Input, List, Radio, Row, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, qs, type IntakeResponse, type ListItem } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { nameOf, useCategories } from '../../lib/reference';
import { formatCode, formatTime } from '../../lib/time';
import { RequireLogin } from '../auth/RequireLogin';
import { AntShell } from '../../lib/AntShell';
import { StatusTag } from '../resident/AppealView';

interface Values {
  text: string;
  categoryCode?: string;
  address: string;
  territoryCode?: string;
  contactName?: string;
  contactPhone?: string;
  urgency: 'normal' | 'urgent';
  channel: string;
  answerNow: boolean;
  answer?: string;
}

function Intake() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const categories = useCategories();
  const text = Form.useWatch('text', form) ?? '';
  const answerNow = Form.useWatch('answerNow', form);
  const [duplicates, setDuplicates] = useState<ListItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<IntakeResponse | null>(null);

  useEffect(() => {
    const words = text.trim().slice(0, 12);
    if (words.length < 4) return;
    const timer = setTimeout(() => {
      api.get<{ items: ListItem[] }>(`/appeals${qs({ queue: 'all', q: words.slice(0, 8), limit: 5 })}`).then((r) => setDuplicates(r.items), () => setDuplicates([]));
    }, 400);
    return () => clearTimeout(timer);
  }, [text]);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<IntakeResponse>('/appeals', {
        text: v.text.trim(),
        categoryCode: v.categoryCode ?? null,
        urgency: v.urgency,
        channel: v.channel,
        location: { address: v.address.trim(), ...(v.territoryCode ? { territoryCode: v.territoryCode.trim() } : {}) },
        ...(v.contactName ? { contactName: v.contactName.trim() } : {}),
        ...(v.contactPhone ? { contactPhone: v.contactPhone.trim() } : {}),
        clientKey: crypto.randomUUID(),
      });
      if (v.answerNow && v.answer?.trim()) await api.post(`/appeals/${created.id}/answer`, { answer: v.answer.trim() });
      setLast(created);
      message.success(t('workbench.intakeDone', { code: formatCode(created.code) }));
      form.resetFields();
      setDuplicates([]);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Row gutter={16}>
      <Col xs={24} lg={15}>
        <Card title={<h1 style={{ margin: 0, fontSize: 18 }}>{t('workbench.intake')}</h1>} size="small">
          <Form
            form={form}
            layout="vertical"
            onFinish={submit}
            initialValues={{ urgency: 'normal', channel: 'hotline', answerNow: false }}
            onKeyDown={(e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && form.submit()}
            requiredMark={false}
          >
            <Form.Item name="text" label={t('resident.text')} rules={[{ required: true, min: 5, message: t('resident.textPlaceholder') }]}>
              <Input.TextArea rows={4} autoFocus maxLength={4000} />
            </Form.Item>
            <Row gutter={8}>
              <Col xs={24} md={12}>
                <Form.Item name="categoryCode" label={t('resident.category')}>
                  <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={categories.filter((c) => c.parentCode).map((c) => ({ value: c.code, label: nameOf(c) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="channel" label={t('workbench.channel')}>
                  <Select options={['hotline', 'mailbox', 'wechat', 'letter', 'walk_in'].map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="address" label={t('workbench.address')} rules={[{ required: true, min: 2, message: t('resident.addressPlaceholder') }]}>
              <Input placeholder={t('resident.addressPlaceholder')} />
            </Form.Item>
            <Form.Item name="territoryCode" label={t('workbench.territory')}>
              <Input placeholder="440304005001" />
            </Form.Item>
            <Row gutter={8}>
              <Col xs={24} md={12}>
                <Form.Item name="contactName" label={t('workbench.contact')}>
                  <Input autoComplete="off" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="contactPhone" label="☎" rules={[{ pattern: /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, message: '138xxxxxxxx / 0755-xxxxxxxx' }]}>
                  <Input inputMode="tel" autoComplete="off" aria-label="phone" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="urgency" label={t('resident.urgency')}>
              <Radio.Group optionType="button" options={[{ value: 'normal', label: t('resident.normal') }, { value: 'urgent', label: t('resident.urgent') }]} />
            </Form.Item>
            <Form.Item name="answerNow" label={t('workbench.answerOnSpot')} valuePropName="checked">
              <Switch aria-label={t('workbench.answerOnSpot')} />
            </Form.Item>
            {answerNow && (
              <Form.Item name="answer" label={t('workbench.answer')} rules={[{ required: true, message: t('workbench.answer') }]}>
                <Input.TextArea rows={2} />
              </Form.Item>
            )}
            {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 12 }} />}
            <Space>
              <Button type="primary" htmlType="submit" loading={busy} aria-keyshortcuts="Control+Enter">
                {t('resident.submit')} (Ctrl+Enter)
              </Button>
              {last && <Link to={`/workbench/case/${last.id}`}>{formatCode(last.code)}</Link>}
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={9}>
        <Card title={t('workbench.duplicates')} size="small">
          <List
            dataSource={duplicates}
            locale={{ emptyText: '—' }}
            renderItem={(d) => (
              <List.Item>
                <Link to={`/workbench/case/${d.id}`}>{formatCode(d.code)}</Link> <StatusTag status={d.status} />
                <Typography.Text ellipsis style={{ maxWidth: 220 }}>
                  {d.text}
                </Typography.Text>
                <span className="gz-timeline-unit">{formatTime(d.createdAt)}</span>
              </List.Item>
            )}
          />
        </Card>
      </Col>
    </Row>
  );
}

export default function IntakePage() {
  return (
    <AntShell>
      <App>
      <RequireLogin>
        <Intake />
      </RequireLogin>
      </App>
    </AntShell>
  );
}
