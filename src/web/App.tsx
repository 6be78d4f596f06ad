import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AuthProvider } from './features/auth/auth';
import { Layout } from './pages/Layout';
import { HomePage } from './pages/HomePage';

const LoginPage = lazy(() => import('./features/auth/LoginPage'));
const ReportPage = lazy(() => import('./features/resident/ReportPage'));
const MyAppealsPage = lazy(() => import('./features/resident/MyAppealsPage'));
const TrackPage = lazy(() => import('./features/resident/TrackPage'));
const NearbyPage = lazy(() => import('./features/nearby/NearbyPage'));
const QueuesPage = lazy(() => import('./features/workbench/QueuesPage'));
const CasePage = lazy(() => import('./features/workbench/CasePage'));
const IntakePage = lazy(() => import('./features/workbench/IntakePage'));
const DashboardPage = lazy(() => import('./features/dashboard/DashboardPage'));

function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" style={{ padding: 48, textAlign: 'center' }}>
      {t('app.loading')}
    </p>
  );
}
const page = (el: React.ReactNode) => <Suspense fallback={<Loading />}>{el}</Suspense>;

// Declarative routes: the data router (loaders, actions, fetchers) is not used, and leaving it out
// keeps some 16 KB of gzipped JavaScript out of every page.
const routes: [string, React.ReactNode][] = [
  ['/login', <LoginPage />],
  ['/resident', <ReportPage />],
  ['/resident/mine', <MyAppealsPage />],
  ['/resident/track', <TrackPage />],
  ['/resident/track/:code', <TrackPage />],
  ['/resident/nearby', <NearbyPage />],
  ['/workbench', <QueuesPage />],
  ['/workbench/case/:id', <CasePage />],
  ['/workbench/intake', <IntakePage />],
  ['/dashboard', <DashboardPage />],
];

export function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Routes>
          <Route element={<Layout />}>
            <Route path="/" element={<HomePage />} />
            {routes.map(([path, el]) => (
              <Route key={path} path={path} element={page(el)} />
            ))}
            <Route path="*" element={<HomePage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </AuthProvider>
  );
}
