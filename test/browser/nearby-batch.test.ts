// In a real browser: the resident entry's JavaScript stays within 250 KB gzipped (counted from
// what chromium fetches); anyone sees the open cases near them on a map on a 375-px phone, and
// the report page says a problem is already reported nearby; a dispatcher dispatches returned
// cases in a batch and supervises several at once, with a result for every case; the leader's
// dashboard lists the street where rubbish keeps being reported as a hotspot, and exports it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Response } from 'playwright-core';
import { login, newContext, password, shot, startHarness, type Harness } from './harness.ts';

const spaced = (code: string) => code.replace(/(\d{4})(\d{4})(\d{4})/, '$1 $2 $3');

describe('nearby map and batch actions in chromium', { timeout: 240_000 }, () => {
  let h: Harness;
  /** Cases A, B, C near the phone's position (侨香社区), and one 5 km away. */
  const cases: Record<'a' | 'b' | 'c' | 'far', { id: string; code: string }> = {} as never;

  async function as(identifier: string) {
    const res = await fetch(`${h.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier, password }) });
    assert.equal(res.status, 200, await res.text());
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return async (path: string, body?: object) => {
      const r = await fetch(`${h.base}/api/v1${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { cookie, ...(body && { 'content-type': 'application/json' }) },
        ...(body && { body: JSON.stringify(body) }),
      });
      const json = (await r.json()) as Record<string, unknown>;
      assert.ok(r.ok, `${path}: ${r.status} ${JSON.stringify(json)}`);
      return json;
    };
  }

  before(async () => {
    h = await startHarness();
    const resident = await as('resident');
    const report = async (text: string, lon: number, lat: number) => {
      const r = await resident('/appeals', { text, categoryCode: 'garbage_collection', location: { lon, lat } });
      return { id: String(r.id), code: String(r.code) };
    };
    // Some 75 m apart (beyond the 50 m in which the same category counts as a duplicate).
    cases.a = await report('幸福巷口的垃圾桶满了没人清运', 114.03, 22.55);
    cases.b = await report('绿化带旁边堆着装修废料', 114.0307, 22.55);
    cases.c = await report('菜市场后门的垃圾站气味很大', 114.03, 22.5507);
    cases.far = await report('公交站旁边有一堆建筑垃圾', 114.08, 22.55);
    // The street team hands A and B back to the dispatch centre.
    const handler = await as('handler');
    for (const c of [cases.a, cases.b]) await handler(`/appeals/${c.id}/return`, { reason: '不属于本执法队的职责范围' });
    // C is under supervision already: supervising it again in a batch must fail, and say why.
    await (await as('dispatcher'))(`/appeals/${cases.c.id}/supervise`, { note: '尽快清理' });
  });
  after(async () => {
    await h?.close();
  });

  it('loads at most 250 KB of gzipped JavaScript for the resident entry', async () => {
    const context = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await login(page, 'resident', '/resident');
    const fresh = await context.newPage();
    const scripts: Response[] = [];
    fresh.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.push(r);
    });
    await fresh.goto('/resident');
    await fresh.getByLabel('问题描述').waitFor();
    await fresh.waitForLoadState('networkidle');
    let bytes = 0;
    for (const r of scripts) {
      const n = gzipSync(await r.body()).length;
      if (process.env.GZ_BUNDLE_DEBUG) console.log(`  ${(n / 1024).toFixed(1).padStart(6)} KB ${r.url()}`);
      bytes += n;
    }
    const kb = bytes / 1024;
    console.log(`resident entry: ${kb.toFixed(1)} KB of gzipped JavaScript in ${scripts.length} files`);
    assert.ok(kb <= 250, `resident entry loads ${kb.toFixed(1)} KB gzipped`);
    for (const heavy of ['DashboardPage', 'TerritoryMap', 'exceljs', 'QueuesPage']) {
      assert.ok(!scripts.some((r) => r.url().includes(heavy)), `${heavy} is not loaded by the resident entry`);
    }
    await context.close();
  });

  it('shows the open cases near me on a map, without signing in, on a 375-px screen', async () => {
    const context = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('link', { name: /附近的诉求/ }).click();
    await page.waitForURL((u) => u.pathname === '/resident/nearby');
    const list = page.getByTestId('nearby-list');
    await list.waitFor();
    for (const c of [cases.a, cases.b, cases.c]) await list.getByText(spaced(c.code), { exact: false }).waitFor();
    assert.equal(await list.getByText(spaced(cases.far.code)).count(), 0, 'the case 5 km away is not within 1 km');
    await page.getByTestId('nearby-count').getByText('1 公里内有 3 件未办结的诉求').waitFor();
    await page.locator('path.gz-map-marker').nth(2).waitFor();
    assert.equal(await page.locator('path.gz-map-marker').count(), 3);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const secret of ['幸福巷', '装修废料', '张小明', '13800138000']) assert.ok(!text.includes(secret), `no "${secret}" on the public map`);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 375, `the nearby page fits a 375-px screen (scroll width ${width})`);
    await shot(page, '20-nearby-map-mobile');
    // 3 km is the widest circle: the case 5 km away stays out.
    await page.getByText('3 公里', { exact: true }).click();
    await page.getByTestId('nearby-count').getByText('3 公里内有 3 件未办结的诉求').waitFor();
    // Each case links to its public timeline.
    await list.getByRole('link').first().click();
    await page.waitForURL((u) => u.pathname.startsWith('/resident/track/'));
    await page.getByText('办理过程').waitFor();
    await context.close();
  });

  it('says on the report page that a problem is already reported nearby', async () => {
    const context = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await login(page, 'resident', '/resident');
    await page.getByLabel('问题分类').selectOption('garbage_collection');
    await page.getByRole('button', { name: '使用我的位置' }).click();
    const already = page.getByTestId('already-reported');
    await already.getByText(/已有人反映：附近 500 米内有 3 件未办结的诉求/).waitFor();
    await already.getByText('同类').first().waitFor();
    await shot(page, '21-report-already-reported');
    await already.getByRole('link', { name: '在地图上查看附近诉求' }).click();
    await page.waitForURL((u) => u.pathname === '/resident/nearby' && u.searchParams.get('radius') === '500');
    await page.getByTestId('nearby-list').waitFor();
    await context.close();
  });

  it('dispatches returned cases in a batch and supervises several at once, with a result per case', async () => {
    const context = await newContext(h);
    const page = await context.newPage();
    await login(page, 'dispatcher', '/workbench?queue=to_dispatch');
    await page.getByRole('link', { name: spaced(cases.a.code) }).waitFor();
    await page.getByRole('link', { name: spaced(cases.b.code) }).waitFor();
    // Keyboard: a selects the page, d opens the batch dispatch.
    await page.locator('main h1').click();
    await page.keyboard.press('a');
    await page.getByTestId('batch-count').getByText('已选 2 件').waitFor();
    await page.keyboard.press('d');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('批量分拨 · 已选 2 件').waitFor();
    await dialog.getByLabel('承办单位').first().click();
    await page.keyboard.type('香蜜湖街道综合');
    await page.locator('.ant-select-item-option', { hasText: '香蜜湖街道综合行政执法队' }).click();
    await dialog.getByLabel('说明').fill('经核实属于市容环境卫生，请执法队处理');
    await dialog.getByTestId('batch-confirm').click();
    const results = dialog.getByTestId('batch-results');
    await results.getByText('成功 2 件，失败 0 件').waitFor();
    await shot(page, '22-batch-dispatch-results');
    await dialog.getByTestId('batch-close').click();
    await page.getByTestId('batch-count').getByText('已选 0 件').waitFor();

    // 待签收: A and B (just dispatched) and C (already supervised) — supervise all three.
    await page.getByTestId('queue-to_sign').click();
    for (const c of [cases.a, cases.b, cases.c]) await page.getByRole('checkbox', { name: `选择 ${spaced(c.code)}` }).check();
    await page.getByTestId('batch-count').getByText('已选 3 件').waitFor();
    await page.getByTestId('batch-supervise').click();
    // As a dispatcher does: the dialog for this batch, its note written, then confirm (a click
    // while the dialog before it was still closing went nowhere, now and then, on a slow machine).
    await dialog.getByText('批量督办 · 已选 3 件').waitFor();
    await dialog.getByLabel('说明').fill('群众多次反映，请限期办结');
    await dialog.getByTestId('batch-confirm').click();
    await results.getByText('成功 2 件，失败 1 件').waitFor();
    await results.getByTestId(`batch-result-${cases.c.code}`).getByText(/already under supervision/).waitFor();
    assert.match((await results.getByTestId(`batch-result-${cases.a.code}`).textContent()) ?? '', /已完成/);
    await shot(page, '23-batch-supervise-results');
    await dialog.getByTestId('batch-close').click();
    // The failed case stays selected for another try.
    await page.getByTestId('batch-count').getByText('已选 1 件').waitFor();
    await context.close();
  });

  it('lists the hotspots on the dashboard and exports them to CSV', async () => {
    const context = await newContext(h);
    const page = await context.newPage();
    await login(page, 'leader', '/dashboard');
    const card = page.getByTestId('hotspots');
    // Three rubbish reports (A, B, C) in 香蜜湖街道 this month: a recurring problem of that street.
    const row = card.locator('tr', { hasText: '香蜜湖街道' });
    await row.getByText('垃圾清运不及时').waitFor();
    const received = Number(await row.locator('td').nth(2).textContent());
    assert.ok(received >= 3, `received ${received}`);
    await card.scrollIntoViewIfNeeded();
    await shot(page, '24-dashboard-hotspots');
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: '导出 CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^hotspots-\d{4}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    assert.match(csv, /区域,分类,受理/);
    assert.match(csv, new RegExp(`香蜜湖街道,垃圾清运不及时,${received},`));
    await card.getByText('每月一题', { exact: true }).click();
    await card.getByText(/上月候选议题/).waitFor();
    await context.close();
  });
});
