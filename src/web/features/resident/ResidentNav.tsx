import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';

/** The four resident pages, one thumb's reach apart. */
export function ResidentNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('app.resident')} className="gz-subnav">
      <NavLink to="/resident" end>
        {t('resident.report')}
      </NavLink>
      <NavLink to="/resident/mine">{t('resident.mine')}</NavLink>
      <NavLink to="/resident/track">{t('resident.track')}</NavLink>
      <NavLink to="/resident/nearby">{t('nearby.tab')}</NavLink>
    </nav>
  );
}
