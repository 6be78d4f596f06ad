import { lazy, Suspense, type ComponentType } from 'react';
import { BrowserRouter, matchPath, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AuthProvider } from './features/auth/auth';
import { Layout } from './pages/Layout';
import { HomePage } from './pages/HomePage';
import { prefetchKpi } from './features/dashboard/kpi';

// Opening on the dashboard: its first KPIs are asked for now, alongside its code and the sign-in.
if (location.pathname === '/dashboard') prefetchKpi();

type PageModule = { default: ComponentType };

/**
 * A page in a chunk of its own. Once its chunk is in (preload), it renders without suspending: a
 * Suspense fallback, once shown, holds the page back for React's 300 ms reveal throttle.
 */
function lazyPage(load: () => Promise<PageModule>) {
  let loaded: PageModule | undefined;
  const preload = () => load().then((m) => (loaded = m));
  // A thenable that answers at once lets React.lazy resolve without suspending.
  const settled = () => ({ then: (resolve: (m: PageModule) => void) => resolve(loaded!) }) as unknown as Promise<PageModule>;
  return { Page: lazy(() => (loaded ? settled() : preload())), preload };
}

const login = lazyPage(() => import('./features/auth/LoginPage'));
const report = lazyPage(() => import('./features/resident/ReportPage'));
const mine = lazyPage(() => import('./features/resident/MyAppealsPage'));
const track = lazyPage(() => import('./features/resident/TrackPage'));
const nearby = lazyPage(() => import('./features/nearby/NearbyPage'));
const queues = lazyPage(() => import('./features/workbench/QueuesPage'));
const casePage = lazyPage(() => import('./features/workbench/CasePage'));
const intake = lazyPage(() => import('./features/workbench/IntakePage'));
const dashboard = lazyPage(() => import('./features/dashboard/DashboardPage'));

// Declarative routes: the data router (loaders, actions, fetchers) is not used, and leaving it out
// keeps some 16 KB of gzipped JavaScript out of every page.
const routes: [string, ReturnType<typeof lazyPage>][] = [
  ['/login', login],
  ['/resident', report],
  ['/resident/mine', mine],
  ['/resident/track', track],
  ['/resident/track/:code', track],
  ['/resident/nearby', nearby],
  ['/workbench', queues],
  ['/workbench/case/:id', casePage],
  ['/workbench/intake', intake],
  ['/dashboard', dashboard],
];

/** Loads the chunk of the page at `pathname` (main.tsx waits for it before the first render). */
export async function preloadRoute(pathname: string): Promise<void> {
  const hit = routes.find(([path]) => matchPath(path, pathname));
  await hit?.[1].preload().catch(() => undefined);
}

function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" style={{ padding: 48, textAlign: 'center' }}>
      {t('app.loading')}
    </p>
  );
}

export function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Routes>
          <Route element={<Layout />}>
            <Route path="/" element={<HomePage />} />
            {routes.map(([path, { Page }]) => (
              <Route
                key={path}
                path={path}
                element={
                  <Suspense fallback={<Loading />}>
                    <Page />
                  </Suspense>
                }
              />
            ))}
            <Route path="*" element={<HomePage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </AuthProvider>
  );
}
