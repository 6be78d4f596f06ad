// 批量操作: a dispatcher (or leader, operator) selects cases in a queue and dispatches, urges or
// supervises them in one go. Each case goes through its own endpoint, one after another, so
// every case gets the same checks as a single action; the result says, case by case, what was
// done and why not. Failed cases stay selected for another try.
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Progress, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type ListItem, type Me } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { formatCode } from '../../lib/time';
import { hasRole } from '../auth/auth';
import { UnitPicker } from './ActionPanel';

export type BatchAction = 'dispatch' | 'urge' | 'supervise';
export const batchActions: BatchAction[] = ['dispatch', 'urge', 'supervise'];
/** Who may try each batch action (the server still decides per case). */
const roles: Record<BatchAction, string[]> = { dispatch: ['dispatcher'], urge: ['leader', 'dispatcher', 'operator'], supervise: ['leader', 'dispatcher'] };
export const batchKeys: Record<string, BatchAction> = { d: 'dispatch', u: 'urge', b: 'supervise' };

export const mayBatch = (me: Me | null, action: BatchAction) => hasRole(me, ...roles[action]);

interface Outcome {
  id: string;
  code: string;
  ok: boolean;
  message: string;
}

export function BatchActions({
  me,
  selected,
  action,
  onOpen,
  onClose,
  onFinished,
}: {
  me: Me | null;
  selected: ListItem[];
  /** The action whose dialog is open, if any (the queue page opens it from a key too). */
  action: BatchAction | null;
  onOpen: (a: BatchAction) => void;
  onClose: () => void;
  /** After a run: the ids that failed (they stay selected). */
  onFinished: (failedIds: string[]) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ organisationId?: string; note?: string }>();
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState(0);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [cases, setCases] = useState<ListItem[]>([]);
  const allowed = batchActions.filter((a) => mayBatch(me, a));
  if (allowed.length === 0) return null;

  async function run(values: { organisationId?: string; note?: string }) {
    if (!action) return;
    const list = selected;
    setCases(list);
    setRunning(true);
    setDone(0);
    setOutcomes(null);
    const note = values.note?.trim() ? { note: values.note.trim() } : {};
    const body = action === 'dispatch' ? { organisationId: values.organisationId, ...note } : note;
    const results: Outcome[] = [];
    for (const c of list) {
      try {
        await api.post(`/appeals/${c.id}/${action}`, body);
        results.push({ id: c.id, code: c.code, ok: true, message: t('workbench.batchOk') });
      } catch (err) {
        results.push({ id: c.id, code: c.code, ok: false, message: errorText(err) });
      }
      setDone(results.length);
    }
    setOutcomes(results);
    setRunning(false);
    onFinished(results.filter((r) => !r.ok).map((r) => r.id));
  }

  const close = () => {
    if (running) return;
    setOutcomes(null);
    form.resetFields();
    onClose();
  };
  const failed = outcomes?.filter((o) => !o.ok).length ?? 0;
  const key = (a: BatchAction) => Object.entries(batchKeys).find(([, v]) => v === a)![0];

  return (
    <>
      <Space wrap aria-label={t('workbench.batch')} role="group">
        <span aria-live="polite" data-testid="batch-count">
          {t('workbench.selected', { count: selected.length })}
        </span>
        {allowed.map((a) => (
          <Button key={a} size="small" disabled={selected.length === 0} onClick={() => onOpen(a)} data-testid={`batch-${a}`} aria-keyshortcuts={key(a)}>
            {t(`workbench.batch_${a}`)}
          </Button>
        ))}
      </Space>
      <Modal
        open={action !== null}
        title={action ? `${t(`workbench.batch_${action}`)} · ${t('workbench.selected', { count: outcomes ? cases.length : selected.length })}` : ''}
        onCancel={close}
        closable={!running}
        maskClosable={false}
        footer={
          outcomes ? (
            <Button type="primary" onClick={close} data-testid="batch-close">
              {t('workbench.batchClose')}
            </Button>
          ) : (
            <Space>
              <Button onClick={close} disabled={running}>
                {t('actions.cancel')}
              </Button>
              <Button type="primary" loading={running} onClick={() => form.submit()} data-testid="batch-confirm">
                {t('actions.confirm')}
              </Button>
            </Space>
          )
        }
        destroyOnHidden
      >
        {!outcomes && (
          <Form form={form} layout="vertical" onFinish={(v) => void run(v)} disabled={running}>
            {action === 'dispatch' && (
              <Form.Item name="organisationId" label={t('workbench.unitChoice')} rules={[{ required: true, message: t('workbench.unitChoice') }]}>
                <UnitPicker territoryPath={selected[0]?.territoryPath ?? ''} suggestions={[]} />
              </Form.Item>
            )}
            <Form.Item name="note" label={t('workbench.note')}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
            {running && <Progress percent={Math.round((done / Math.max(1, selected.length)) * 100)} format={() => `${done}/${selected.length}`} />}
          </Form>
        )}
        {outcomes && (
          <div data-testid="batch-results">
            <Alert
              type={failed === 0 ? 'success' : outcomes.length === failed ? 'error' : 'warning'}
              title={t('workbench.batchSummary', { ok: outcomes.length - failed, failed })}
              style={{ marginBottom: 8 }}
              role="status"
            />
            <ul className="gz-batch-results">
              {outcomes.map((o) => (
                <li key={o.id} className={o.ok ? 'ok' : 'failed'} data-testid={`batch-result-${o.code}`}>
                  <span aria-hidden="true">{o.ok ? '✓' : '✗'}</span> <strong>{formatCode(o.code)}</strong> {o.message}
                </li>
              ))}
            </ul>
          </div>
        )}
      </Modal>
    </>
  );
}
