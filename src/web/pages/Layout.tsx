import { NavLink, Outlet, Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { switchLanguage } from '../i18n';
import { useAuth } from '../features/auth/auth';

/** The frame of every page: plain elements (no antd), so the entry chunk stays small. */
export function Layout() {
  const { t } = useTranslation();
  const { me, logout } = useAuth();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="gz-header">
        <Link to="/" className="brand">
          {t('app.name')}
        </Link>
        <nav aria-label={t('app.home')}>
          <NavLink to="/resident">{t('app.resident')}</NavLink>
          <NavLink to="/workbench">{t('app.workbench')}</NavLink>
          <NavLink to="/dashboard">{t('app.dashboard')}</NavLink>
        </nav>
        <button type="button" className="gz-hbtn" onClick={switchLanguage} aria-label={t('app.languageLabel')} data-testid="lang-switch">
          {t('app.language')}
        </button>
        {me ? (
          <button type="button" className="gz-hbtn" onClick={() => void logout().then(() => navigate('/'))}>
            {t('app.logout')}
          </button>
        ) : (
          <Link to="/login">{t('app.login')}</Link>
        )}
      </header>
      <main id="main" className="gz-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
