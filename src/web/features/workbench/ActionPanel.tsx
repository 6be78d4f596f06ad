// Buttons for exactly the actions the server allows (`allowedActions`), each with the form it
// needs. Common moves have keyboard shortcuts: s sign, r reply, t start, c close, v verify,
// d dispatch, u urge.
import { useEffect, useState } from 'react';
import { Alert, App, Button, DatePicker, Form, Input, Modal, Radio, Select, Space, Upload, Typography } from 'antd';
import type { UploadFile } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, qs, type Organisation, type StaffAppeal } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { resizePhoto } from '../../lib/photos';
import { nameOf } from '../../lib/reference';

/** Actions that need no more than a click (an optional note). */
const simple: Record<string, { path: string; note: boolean }> = {
  sign: { path: 'sign', note: false },
  start: { path: 'start', note: false },
  urge: { path: 'urge', note: true },
  supervise: { path: 'supervise', note: true },
  verify: { path: 'verify', note: true },
  close: { path: 'close', note: true },
};
const shortcuts: Record<string, string> = { s: 'sign', r: 'reply', t: 'start', c: 'close', v: 'verify', d: 'dispatch', u: 'urge' };
const order = ['dispatch', 'sign', 'start', 'reply', 'return', 'request_extension', 'decide_extension', 'escalate', 'urge', 'supervise', 'merge', 'verify', 'close', 'answer', 'follow_up'];

/** A government unit in the case's district, searched as you type; suggestions first. */
export function UnitPicker({ value, onChange, multiple, territoryPath, suggestions }: { value?: string | string[]; onChange?: (v: string | string[]) => void; multiple?: boolean; territoryPath: string; suggestions: Organisation[] }) {
  const { t } = useTranslation();
  const [options, setOptions] = useState<Organisation[]>(suggestions);
  const district = territoryPath.split('.')[1];
  const [q, setQ] = useState('');
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.get<{ items: Organisation[] }>(`/organisations${qs({ within: district, q: q || undefined, kind: 'government', limit: 50 })}`).then(
        (r) => live && setOptions([...suggestions, ...r.items.filter((o) => !suggestions.some((s) => s.id === o.id))]),
        () => undefined,
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, district, suggestions]);
  return (
    <Select
      aria-label={t('workbench.unitChoice')}
      mode={multiple ? 'multiple' : undefined}
      showSearch={{ filterOption: false, onSearch: setQ }}
      placeholder={t('workbench.unitSearch')}
      value={value}
      onChange={onChange}
      options={options.map((o) => ({ value: o.id, label: nameOf(o) }))}
    />
  );
}

function suggestedUnits(s: unknown): Organisation[] {
  const list = Array.isArray(s) ? s : Array.isArray((s as { units?: unknown })?.units) ? (s as { units: unknown[] }).units : [];
  return list
    .map((x) => x as { id?: string; organisationId?: string; nameZh?: string; nameEn?: string | null })
    .filter((x) => (x.id ?? x.organisationId) && x.nameZh)
    .map((x) => ({ id: (x.id ?? x.organisationId)!, nameZh: x.nameZh!, nameEn: x.nameEn ?? null }));
}

export function ActionPanel({ appeal, onDone }: { appeal: StaffAppeal; onDone: (a: StaffAppeal | null) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [form] = Form.useForm();
  const allowed = order.filter((a) => appeal.allowedActions.includes(a));

  async function run(action: string, values: Record<string, unknown>) {
    setBusy(true);
    setError(null);
    try {
      let result: unknown;
      const post = (path: string, body: unknown = {}) => api.post<unknown>(`/appeals/${appeal.id}/${path}`, body);
      const note = typeof values.note === 'string' && values.note.trim() ? { note: values.note.trim() } : {};
      if (simple[action]) result = await post(simple[action].path, simple[action].note ? note : {});
      else if (action === 'dispatch') result = await post('dispatch', { organisationId: values.organisationId, ...note });
      else if (action === 'reply') {
        if (files.length) {
          const body = new FormData();
          body.append('data', JSON.stringify({ text: values.text }));
          for (const f of files) if (f.originFileObj) body.append('photos', await resizePhoto(f.originFileObj), `${f.uid}.jpg`);
          result = await api.form(`/appeals/${appeal.id}/reply/form`, body);
        } else result = await post('reply', { text: values.text });
      } else if (action === 'return') result = await post('return', { reason: values.reason });
      else if (action === 'request_extension') result = await post('extension', { until: (values.until as { toISOString(): string }).toISOString(), reason: values.reason });
      else if (action === 'decide_extension') result = await post('extension/decision', { approve: values.approve === 'yes', ...note });
      else if (action === 'escalate') result = await post('escalate', { organisationIds: values.organisationIds, note: values.note });
      else if (action === 'merge') {
        let parentId = String(values.parent).replace(/\s/g, '');
        if (/^\d{12}$/.test(parentId)) {
          const found = await api.get<{ items: { id: string }[] }>(`/appeals${qs({ q: parentId, queue: 'all', limit: 1 })}`);
          if (!found.items[0]) throw new Error(t('errors.not_found'));
          parentId = found.items[0].id;
        }
        result = await post('merge', { parentId });
      } else if (action === 'answer') result = await post('answer', { answer: values.answer });
      else if (action === 'follow_up') result = await post('follow-up', { resolution: values.resolution, satisfaction: values.satisfaction, ...(values.comment ? { comment: values.comment } : {}) });
      message.success(t('workbench.done', { action: t(`actions.${action}`) }));
      setOpen(null);
      setFiles([]);
      form.resetFields();
      const full = result as StaffAppeal;
      onDone(full && Array.isArray(full.allowedActions) ? full : null);
    } catch (err) {
      setError(err instanceof Error && !('code' in err) ? err.message : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  function start(action: string) {
    setError(null);
    if (simple[action] && !simple[action].note) void run(action, {});
    else setOpen(action);
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      if (open || e.ctrlKey || e.metaKey || e.altKey || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable) return;
      const action = shortcuts[e.key];
      if (action && appeal.allowedActions.includes(action)) {
        e.preventDefault();
        start(action);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const fields = (action: string) => {
    const req = (msg: string, min = 1) => [{ required: true, min, message: msg }];
    switch (action) {
      case 'dispatch':
        return (
          <Form.Item name="organisationId" label={t('workbench.unitChoice')} rules={req(t('workbench.unitChoice'))}>
            <UnitPicker territoryPath={appeal.territoryPath} suggestions={suggestedUnits(appeal.suggestions)} />
          </Form.Item>
        );
      case 'reply':
        return (
          <>
            <Form.Item name="text" label={t('workbench.replyText')} rules={req(t('workbench.replyText'), 5)}>
              <Input.TextArea rows={4} maxLength={4000} autoFocus />
            </Form.Item>
            <Form.Item label={t('workbench.photos')}>
              <Upload listType="picture-card" accept="image/*" multiple maxCount={9} fileList={files} beforeUpload={() => false} onChange={({ fileList }) => setFiles(fileList.slice(0, 9))}>
                {files.length < 9 && '+'}
              </Upload>
            </Form.Item>
          </>
        );
      case 'return':
        return (
          <Form.Item name="reason" label={t('workbench.reason')} rules={req(t('workbench.reason'))}>
            <Input.TextArea rows={3} maxLength={1000} autoFocus />
          </Form.Item>
        );
      case 'request_extension':
        return (
          <>
            <Form.Item name="until" label={t('workbench.until')} rules={[{ required: true, message: t('workbench.until') }]}>
              <DatePicker showTime />
            </Form.Item>
            <Form.Item name="reason" label={t('workbench.reason')} rules={req(t('workbench.reason'))}>
              <Input.TextArea rows={3} maxLength={1000} />
            </Form.Item>
          </>
        );
      case 'decide_extension':
        return (
          <>
            <Typography.Paragraph>{appeal.extensionReason}</Typography.Paragraph>
            <Form.Item name="approve" initialValue="yes">
              <Radio.Group options={[{ value: 'yes', label: t('workbench.approve') }, { value: 'no', label: t('workbench.reject') }]} />
            </Form.Item>
            <Form.Item name="note" label={t('workbench.note')}>
              <Input maxLength={500} />
            </Form.Item>
          </>
        );
      case 'escalate':
        return (
          <>
            <Form.Item name="organisationIds" label={t('workbench.coHandlers')} rules={[{ required: true, message: t('workbench.coHandlers') }]}>
              <UnitPicker multiple territoryPath={appeal.territoryPath} suggestions={[]} />
            </Form.Item>
            <Form.Item name="note" label={t('workbench.reason')} rules={req(t('workbench.reason'))}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
          </>
        );
      case 'merge':
        return (
          <Form.Item name="parent" label={t('workbench.parent')} rules={req(t('workbench.parent'))}>
            <Input autoFocus />
          </Form.Item>
        );
      case 'answer':
        return (
          <Form.Item name="answer" label={t('workbench.answer')} rules={req(t('workbench.answer'))}>
            <Input.TextArea rows={3} maxLength={4000} autoFocus />
          </Form.Item>
        );
      case 'follow_up':
        return (
          <>
            <Form.Item name="resolution" label={t('workbench.resolution')} rules={[{ required: true, message: t('workbench.resolution') }]}>
              <Radio.Group options={['resolved', 'partly', 'unresolved'].map((v) => ({ value: v, label: t(`resolution.${v}`) }))} />
            </Form.Item>
            <Form.Item name="satisfaction" label={t('workbench.satisfaction')} rules={[{ required: true, message: t('workbench.satisfaction') }]}>
              <Radio.Group options={['satisfied', 'basic', 'unsatisfied'].map((v) => ({ value: v, label: t(`satisfaction.${v}`) }))} />
            </Form.Item>
            <Form.Item name="comment" label={t('resident.comment')}>
              <Input maxLength={1000} />
            </Form.Item>
          </>
        );
      default:
        return (
          <Form.Item name="note" label={t('workbench.note')}>
            <Input.TextArea rows={2} maxLength={1000} autoFocus />
          </Form.Item>
        );
    }
  };

  if (allowed.length === 0) return <Typography.Text type="secondary">{t('workbench.noActions')}</Typography.Text>;
  return (
    <>
      <Space wrap>
        {allowed.map((a) => (
          <Button
            key={a}
            type={['sign', 'reply', 'dispatch', 'close'].includes(a) ? 'primary' : 'default'}
            danger={a === 'return'}
            onClick={() => start(a)}
            loading={busy && !open && simple[a] !== undefined}
            data-testid={`action-${a}`}
            aria-keyshortcuts={Object.entries(shortcuts).find(([, v]) => v === a)?.[0]}
          >
            {t(`actions.${a}`)}
          </Button>
        ))}
      </Space>
      {error && !open && <Alert type="error" title={error} role="alert" style={{ marginTop: 12 }} />}
      <Modal
        open={!!open}
        title={open ? t(`actions.${open}`) : ''}
        onCancel={() => setOpen(null)}
        okText={t('actions.confirm')}
        cancelText={t('actions.cancel')}
        confirmLoading={busy}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v: Record<string, unknown>) => open && void run(open, v)} preserve={false}>
          {open && fields(open)}
        </Form>
        {error && <Alert type="error" title={error} role="alert" />}
      </Modal>
    </>
  );
}
