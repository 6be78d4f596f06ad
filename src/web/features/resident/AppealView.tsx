// The public view of a case: what the resident and anyone with the code see.
import { Descriptions, Image, Space, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PublicAppeal, TimelineEntry } from '../../lib/api';
import { formatCode, formatTime } from '../../lib/time';
import { categoryName, nameOf, useCategories } from '../../lib/reference';

const statusColour: Record<string, string> = {
  submitted: 'orange', dispatched: 'gold', signed: 'blue', in_progress: 'blue', replied: 'cyan', verified: 'cyan', closed: 'green', returned: 'red', reopened: 'magenta', merged: 'default',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={statusColour[status] ?? 'default'} data-testid="status">
      {t(`status.${status}`, { defaultValue: status })}
    </Tag>
  );
}

export function AppealTimeline({ entries }: { entries: TimelineEntry[] }) {
  const { t } = useTranslation();
  return (
    <Timeline
      items={entries.map((e) => ({
        key: e.id,
        content: (
          <div>
            <strong>{t(`action.${e.action}`, { defaultValue: e.action })}</strong> <span className="gz-timeline-unit">{formatTime(e.at)}</span>
            {e.unit && <div className="gz-timeline-unit">{nameOf(e.unit)}</div>}
            {e.note && <div>{e.note}</div>}
          </div>
        ),
      }))}
    />
  );
}

export function PhotoStrip({ photos }: { photos: { id: string; url: string }[] }) {
  if (photos.length === 0) return null;
  return (
    <Image.PreviewGroup>
      <Space wrap>
        {photos.map((p, i) => (
          <Image key={p.id} src={p.url} width={88} height={88} style={{ objectFit: 'cover' }} alt={`photo ${i + 1}`} />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

export function AppealView({ appeal }: { appeal: PublicAppeal }) {
  const { t } = useTranslation();
  const categories = useCategories();
  return (
    <>
      <Typography.Paragraph>{appeal.text}</Typography.Paragraph>
      <PhotoStrip photos={appeal.photos} />
      <Descriptions column={1} size="small" style={{ marginTop: 12 }}>
        <Descriptions.Item label={t('workbench.code')}>{formatCode(appeal.code)}</Descriptions.Item>
        <Descriptions.Item label={t('workbench.status')}>
          <StatusTag status={appeal.status} />
        </Descriptions.Item>
        <Descriptions.Item label={t('workbench.category')}>{categoryName(categories, appeal.categoryCode)}</Descriptions.Item>
        <Descriptions.Item label={t('resident.place')}>{appeal.place}</Descriptions.Item>
        <Descriptions.Item label={t('resident.unit')}>{nameOf(appeal.leadUnit)}</Descriptions.Item>
        <Descriptions.Item label={t('workbench.created')}>{formatTime(appeal.createdAt)}</Descriptions.Item>
      </Descriptions>
      {appeal.replyText && (
        <div style={{ background: '#f0f7ff', padding: 12, borderRadius: 6, margin: '12px 0' }} data-testid="reply">
          <strong>{t('resident.reply')}</strong> <span className="gz-timeline-unit">{formatTime(appeal.repliedAt)}</span>
          <div>{appeal.replyText}</div>
        </div>
      )}
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t('resident.timeline')}
      </Typography.Title>
      <AppealTimeline entries={appeal.timeline} />
    </>
  );
}
