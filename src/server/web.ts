// Serves the web app (dist/web, built by Vite from src/web) at `/`: hashed assets with long cache
// lives, and index.html for every other GET outside /api and /open311 (the app routes itself).
// `ensureWebBuild` rebuilds dist/web when it is missing or older than a file in src/web, so the
// README's `npm start` brings up everything.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { childProcessEnv } from './config.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const webDist = path.join(projectRoot, 'dist/web');
const webSource = path.join(projectRoot, 'src/web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when dist/web is missing or older than any file in src/web (or vite.config.ts). */
export function webBuildIsStale(): boolean {
  const index = path.join(webDist, 'index.html');
  if (!fs.existsSync(index)) return true;
  if (!fs.existsSync(webSource)) return false;
  const built = fs.statSync(index).mtimeMs;
  const config = path.join(projectRoot, 'vite.config.ts');
  return newestMtime(webSource) > built || (fs.existsSync(config) && fs.statSync(config).mtimeMs > built);
}

/** Builds the web app when it is stale; logs and carries on (the API still serves) if the build fails. */
export function ensureWebBuild(log: (msg: string) => void = console.log): void {
  if (!webBuildIsStale()) return;
  log('Building the web app (src/web → dist/web)…');
  const vite = path.join(projectRoot, 'node_modules/vite/bin/vite.js');
  // Always a production build: an inherited NODE_ENV (test, development) would make Vite bundle
  // React's development build, some 70 KB more gzipped JavaScript on every page.
  const env = childProcessEnv({ NODE_ENV: 'production' });
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: projectRoot, stdio: 'inherit', env });
  if (result.status !== 0) log('The web app did not build; the API is served without it. Run `npm run build` to see why.');
}

const serving = new WeakSet<FastifyInstance>();

export async function webApp(app: FastifyInstance): Promise<void> {
  if (!fs.existsSync(path.join(webDist, 'index.html'))) {
    app.log.warn('dist/web is missing: the web app is not served (run `npm run build`)');
    return;
  }
  serving.add(app);
  await app.register(fastifyStatic, {
    root: webDist,
    wildcard: false,
    index: false,
    setHeaders: (res, file) => {
      if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else res.setHeader('cache-control', 'no-cache');
    },
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
}

/** The SPA fallback: a browser GET of an app route gets index.html; API paths keep their 404. */
export function isAppRoute(app: FastifyInstance, method: string, url: string): boolean {
  if (!serving.has(app) || (method !== 'GET' && method !== 'HEAD')) return false;
  const p = url.split('?')[0] ?? '';
  return !p.startsWith('/api') && !p.startsWith('/open311') && !p.startsWith('/assets/');
}
