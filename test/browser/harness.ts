// Browser tests: the real app (fresh database with the demo city, listening on a free port) and
// Debian's chromium driven by playwright-core. Screenshots go to test-results/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { seedCity } from '../../src/server/seed/seed.ts';
import { ensureWebBuild } from '../../src/server/web.ts';
import { freshDatabase } from '../helpers/app.ts';

export const password = 'Gongzhi2026';
export const shots = path.resolve('test-results/screenshots');

export interface Harness {
  app: App;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  ensureWebBuild();
  const { database, drop } = await freshDatabase();
  await seedCity({ db: database.db, scale: 'demo' });
  const config = loadConfig({ NODE_ENV: 'test' }, { dataDir: fs.mkdtempSync('/tmp/gz-browser-'), publicRateLimitPerMinute: 100_000 });
  const app = await buildApp({ config, database });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  fs.mkdirSync(shots, { recursive: true });
  return {
    app,
    base,
    browser,
    close: async () => {
      await browser.close();
      await app.close();
      await drop();
    },
  };
}

export async function newContext(h: Harness, options: { mobile?: boolean; lang?: 'en' } = {}): Promise<BrowserContext> {
  const context = await h.browser.newContext({
    baseURL: h.base,
    locale: 'zh-CN',
    timezoneId: 'Europe/London', // the app must show Shanghai times whatever the browser's zone
    ...(options.mobile ? { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1366, height: 900 } }),
    geolocation: { longitude: 114.03, latitude: 22.55 },
    permissions: ['geolocation'],
  });
  context.setDefaultTimeout(15_000);
  return context;
}

export async function login(page: Page, identifier: string, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('用户名或手机号').fill(identifier);
  await page.getByLabel('密码').fill(password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === next.split('?')[0]);
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
