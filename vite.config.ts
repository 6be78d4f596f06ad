// The web app (src/web) builds into dist/web; the Fastify server serves it at `/`.
// Routes are lazy, so the resident entry stays small and ECharts/Leaflet load only where used.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./src/web', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1200,
    manifest: true,
  },
  server: {
    proxy: { '/api': 'http://localhost:3000', '/readyz': 'http://localhost:3000' },
  },
});
