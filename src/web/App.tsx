import { lazy, Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AuthProvider } from './features/auth/auth';
import { Layout } from './pages/Layout';
import { HomePage } from './pages/HomePage';

const LoginPage = lazy(() => import('./features/auth/LoginPage'));
const ReportPage = lazy(() => import('./features/resident/ReportPage'));
const MyAppealsPage = lazy(() => import('./features/resident/MyAppealsPage'));
const TrackPage = lazy(() => import('./features/resident/TrackPage'));
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

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <HomePage /> },
      { path: '/login', element: page(<LoginPage />) },
      { path: '/resident', element: page(<ReportPage />) },
      { path: '/resident/mine', element: page(<MyAppealsPage />) },
      { path: '/resident/track', element: page(<TrackPage />) },
      { path: '/resident/track/:code', element: page(<TrackPage />) },
      { path: '/workbench', element: page(<QueuesPage />) },
      { path: '/workbench/case/:id', element: page(<CasePage />) },
      { path: '/workbench/intake', element: page(<IntakePage />) },
      { path: '/dashboard', element: page(<DashboardPage />) },
      { path: '*', element: <HomePage /> },
    ],
  },
]);

export function App() {
  return (
    <AuthProvider>
      <RouterProvider router={router} />
    </AuthProvider>
  );
}
