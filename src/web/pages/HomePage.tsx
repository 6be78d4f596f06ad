import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

export function HomePage() {
  const { t } = useTranslation();
  const tiles = [
    { to: '/resident', title: t('app.resident'), text: t('home.resident') },
    { to: '/resident/track', title: t('resident.track'), text: t('home.track') },
    { to: '/resident/nearby', title: t('nearby.title'), text: t('home.nearby') },
    { to: '/workbench', title: t('app.workbench'), text: t('home.workbench') },
    { to: '/dashboard', title: t('app.dashboard'), text: t('home.dashboard') },
  ];
  return (
    <>
      <h1 style={{ fontSize: 24 }}>{t('home.title')}</h1>
      <p style={{ color: '#555' }}>{t('app.tagline')}</p>
      <div className="gz-tiles">
        {tiles.map((tile) => (
          <Link to={tile.to} key={tile.to} className="gz-tile">
            <strong>{tile.title}</strong>
            <span>{tile.text}</span>
          </Link>
        ))}
      </div>
    </>
  );
}
