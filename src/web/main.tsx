import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { languageReady } from './i18n';
import './styles.css';
import { App, preloadRoute } from './App';

// The first render waits for the saved language and for this page's chunk, so that the page
// appears in one go instead of after a "loading" placeholder.
await Promise.all([languageReady, preloadRoute(location.pathname)]);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
