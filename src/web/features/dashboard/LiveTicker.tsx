// 实时动态: new and urgent cases as they happen, from /api/v1/stream (server-sent events).
import { useEffect, useState } from 'react';
import { List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../lib/time';

interface Tick {
  id: string;
  at: string;
  kind: string;
  text: string;
  urgent: boolean;
}

export function LiveTicker() {
  const { t } = useTranslation();
  const [ticks, setTicks] = useState<Tick[]>([]);
  useEffect(() => {
    const source = new EventSource('/api/v1/stream');
    const add = (kind: string) => (e: MessageEvent<string>) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(e.data) as Record<string, unknown>;
      } catch {
        return;
      }
      const action = String(data.action ?? data.kind ?? kind);
      const code = String(data.code ?? (data.data as { code?: string } | undefined)?.code ?? '');
      const title = String(data.title ?? data.text ?? '');
      setTicks((list) =>
        [
          {
            id: e.lastEventId || `${Date.now()}${Math.random()}`,
            at: String(data.at ?? data.createdAt ?? new Date().toISOString()),
            kind: action,
            text: [t(`action.${action}`, { defaultValue: action }), code, title].filter(Boolean).join(' · '),
            urgent: data.urgency === 'urgent' || action.includes('urgent') || (data.data as { urgency?: string } | undefined)?.urgency === 'urgent',
          },
          ...list,
        ].slice(0, 30),
      );
    };
    source.addEventListener('appeal', add('appeal'));
    source.addEventListener('notification', add('notification'));
    return () => source.close();
  }, [t]);
  return (
    <div className="gz-ticker" aria-live="polite" data-testid="ticker">
      {ticks.length === 0 ? (
        <Typography.Text type="secondary">{t('dashboard.noTicker')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={ticks}
          renderItem={(x) => (
            <List.Item>
              {x.urgent && <Tag color="red">{t('dashboard.urgentCase')}</Tag>}
              <span>{x.text}</span> <span className="gz-timeline-unit">{formatTime(x.at)}</span>
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
