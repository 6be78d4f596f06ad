// 进度查询: anyone can follow a case by its 12-digit tracking code (anonymous public view).
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Alert, Button, Form, Input, Spin } from 'antd';
import { AntShell } from '../../lib/AntShell';
import { useTranslation } from 'react-i18next';
import { api, type PublicAppeal } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { AppealView } from './AppealView';
import { ResidentNav } from './ResidentNav';

export default function TrackPage() {
  const { t } = useTranslation();
  const { code } = useParams();
  const navigate = useNavigate();
  const [appeal, setAppeal] = useState<PublicAppeal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!code) return;
    let live = true;
    setLoading(true);
    setError(null);
    api.get<PublicAppeal>(`/appeals/track/${code}`).then(
      (a) => live && (setAppeal(a), setLoading(false)),
      (err) => live && (setError(errorText(err)), setAppeal(null), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [code]);

  return (
    <AntShell>
    <div className="gz-mobile">
      <ResidentNav />
      <section className="gz-panel">
        <h1>{t('resident.track')}</h1>
        <Form layout="inline" onFinish={(v: { code: string }) => navigate(`/resident/track/${v.code.replace(/\s/g, '')}`)} initialValues={{ code }}>
          <Form.Item
            name="code"
            label={t('resident.trackCode')}
            rules={[{ required: true, pattern: /^\d{4} ?\d{4} ?\d{4}$/, message: t('resident.trackInvalid') }]}
            style={{ flex: 1 }}
          >
            <Input inputMode="numeric" maxLength={14} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {t('resident.trackSubmit')}
          </Button>
        </Form>
      </section>
      <div style={{ marginTop: 12 }}>
        {loading && <Spin />}
        {error && <Alert type="error" title={error} role="alert" />}
        {appeal && (
          <section className="gz-panel">
            <AppealView appeal={appeal} />
          </section>
        )}
      </div>
    </div>
    </AntShell>
  );
}
