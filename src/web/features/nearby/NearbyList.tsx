// The open cases near a point as a list (the map's accessible twin): category, status, distance,
// community and time, each linking to its public timeline. Plain elements only: the report page
// shows it, and the resident entry must stay small.
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Category } from '../../lib/api';
import { categoryName } from '../../lib/reference';
import { formatCode, formatTime } from '../../lib/time';
import { formatDistance, type NearbyCase } from './nearby';

export function NearbyList({ items, categories, sameCategory, selected }: { items: NearbyCase[]; categories: Category[]; sameCategory?: string | null; selected?: string | null }) {
  const { t } = useTranslation();
  return (
    <ul className="gz-nearby" data-testid="nearby-list">
      {items.map((c) => (
        <li key={c.code} className={c.code === selected ? 'selected' : undefined} id={`nearby-${c.code}`}>
          <Link to={`/resident/track/${c.code}`} aria-label={`${categoryName(categories, c.categoryCode)} ${formatCode(c.code)}`}>
            <strong>{categoryName(categories, c.categoryCode)}</strong>
            {sameCategory && c.categoryCode === sameCategory && <span className="gz-badge same">{t('nearby.same')}</span>}
            <span className={`gz-badge s-${c.status}`}>{t(`status.${c.status}`, { defaultValue: c.status })}</span>
          </Link>
          <span className="gz-nearby-meta">
            {formatDistance(c.distanceM)} · {c.place} · {formatTime(c.createdAt)} · {formatCode(c.code)}
          </span>
        </li>
      ))}
    </ul>
  );
}
