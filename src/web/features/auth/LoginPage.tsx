import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { AntShell } from '../../lib/AntShell';
import { useTranslation } from 'react-i18next';
import { useAuth, isStaff } from './auth';
import { errorText } from '../../lib/errors';

export default function LoginPage() {
  const { t } = useTranslation();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = params.get('next');

  async function submit(values: { identifier: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      const me = await login(values.identifier.trim(), values.password);
      navigate(next && next.startsWith('/') ? next : isStaff(me) ? '/workbench' : '/resident', { replace: true });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AntShell>
    <div className="gz-mobile">
      <section className="gz-panel">
        <h1>{t('login.title')}</h1>
        {next && <Alert type="info" title={t('login.needed')} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="identifier" label={t('login.identifier')} rules={[{ required: true, message: t('login.identifier') }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.password') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" loading={busy} block size="large">
            {t('login.submit')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          {t('login.demo')}
        </Typography.Paragraph>
      </section>
    </div>
    </AntShell>
  );
}
