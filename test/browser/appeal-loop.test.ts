// The appeals loop in a real browser: a resident reports with a photo and a pin → auto-dispatch →
// the handler signs and replies → "not satisfied" reopens it → signed and replied again →
// satisfied closes it → the dashboard counts it; another community's worker cannot see it; the
// English switch works; the resident pages on a 375×812 phone screen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jpeg from 'jpeg-js';
import type { Page } from 'playwright-core';
import { login, newContext, shot, startHarness, type Harness } from './harness.ts';

function photo(): Buffer {
  const width = 640;
  const height = 480;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i % width) / 3, 120, ((i / width) | 0) / 2, 255], i * 4);
  return Buffer.from(jpeg.encode({ data, width, height }, 80).data);
}

describe('web app in chromium', { timeout: 240_000 }, () => {
  let h: Harness;
  let resident: Page;
  let handler: Page;
  let code = '';
  let caseUrl = '';

  before(async () => {
    h = await startHarness();
    resident = await (await newContext(h, { mobile: true })).newPage();
    handler = await (await newContext(h)).newPage();
  });
  after(async () => {
    await h?.close();
  });

  it('shows the home page in Chinese', async () => {
    await resident.goto('/');
    await resident.getByRole('heading', { name: /共治/ }).waitFor();
    await shot(resident, '01-home-mobile');
  });

  it('lets a resident report with a photo and a pin on a 375-px screen', async () => {
    await login(resident, 'resident', '/resident');
    await resident.getByLabel('问题描述').fill('小区门口垃圾三天没人清运，气味很大');
    await resident.getByLabel('问题分类').selectOption('garbage_collection');
    await resident.getByTestId('photos').setInputFiles({ name: 'rubbish.jpg', mimeType: 'image/jpeg', buffer: photo() });
    await resident.getByTestId('show-map').click();
    const map = resident.getByTestId('territory-map');
    await map.waitFor();
    await resident.locator('.leaflet-interactive').first().waitFor();
    await map.click({ position: { x: 180, y: 140 } });
    await resident.getByTestId('place').waitFor();
    // The phone's position puts the pin exactly in 侨香社区 (香蜜湖街道), whose team handles rubbish.
    await resident.getByRole('button', { name: '使用我的位置' }).click();
    await resident.getByTestId('place').getByText('侨香社区').waitFor();
    await shot(resident, '02-resident-report-filled');
    const width = await resident.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 375, `the report page fits a 375-px screen (scroll width ${width})`);
    await resident.getByRole('button', { name: /提\s*交/ }).click();
    const done = await resident.getByTestId('submitted').textContent();
    code = (done ?? '').replace(/\D/g, '');
    assert.equal(code.length, 12, `tracking code in "${done}"`);
    await shot(resident, '03-resident-submitted');
  });

  it('auto-dispatches it to the handler, who signs and replies', async () => {
    await login(handler, 'handler', '/workbench?queue=to_sign');
    const link = handler.getByRole('link', { name: code.replace(/(\d{4})(\d{4})(\d{4})/, '$1 $2 $3') });
    await link.waitFor();
    await shot(handler, '04-workbench-queues');
    await link.click();
    await handler.getByTestId('case-text').waitFor();
    caseUrl = handler.url();
    await handler.locator('.ant-image img').first().waitFor();
    await handleCase(handler, '已安排清运，现场已清理干净');
    await shot(handler, '05-workbench-case-replied');
  });

  it('reopens when the resident is not satisfied, and closes when satisfied', async () => {
    await rate(resident, '未解决', '不满意');
    await resident.getByTestId('status').filter({ hasText: '重办' }).first().waitFor();
    await shot(resident, '06-resident-reopened');

    await handler.goto(caseUrl);
    await handleCase(handler, '再次清运，并安排每日巡查');

    await rate(resident, '已解决', '满意');
    await resident.getByTestId('status').filter({ hasText: '已办结' }).first().waitFor();
    await shot(resident, '07-resident-closed');

    await resident.goto(`/resident/track/${code}`);
    await resident.getByText('办理过程').waitFor();
    await resident.getByTestId('status').filter({ hasText: '已办结' }).waitFor();
    await shot(resident, '08-resident-track');
  });

  it('counts it on the dashboard', async () => {
    const leader = await (await newContext(h)).newPage();
    await login(leader, 'leader', '/dashboard');
    const volume = leader.getByTestId('kpi-volume');
    await volume.getByText('1', { exact: true }).waitFor();
    const reopened = leader.getByTestId('kpi-reopened');
    await reopened.getByText('1', { exact: true }).waitFor();
    await leader.locator('.leaflet-interactive').first().waitFor();
    await leader.locator('canvas').first().waitFor();
    await shot(leader, '09-dashboard');
    // Drill down from the district to its streets.
    await leader.getByRole('button', { name: '香蜜湖街道' }).click();
    await leader.getByText('侨香社区').first().waitFor();
    await shot(leader, '10-dashboard-street');
    await leader.context().close();
  });

  it('hides it from a worker of another community', async () => {
    const other = await (await newContext(h)).newPage();
    await login(other, 'community_worker2', '/workbench?queue=all');
    await other.getByRole('tab', { name: /全部/ }).waitFor();
    await other.waitForLoadState('networkidle');
    assert.equal(await other.getByText(code.replace(/(\d{4})(\d{4})(\d{4})/, '$1 $2 $3')).count(), 0);
    await other.goto(caseUrl.replace(h.base, ''));
    await other.getByRole('alert').waitFor();
    await shot(other, '11-other-community-denied');
    await other.context().close();
  });

  it('switches to English', async () => {
    await handler.goto('/workbench');
    await handler.getByTestId('lang-switch').click();
    await handler.getByRole('link', { name: 'Workbench' }).waitFor();
    await handler.getByRole('heading', { name: 'Queues' }).waitFor();
    await handler.getByRole('tab', { name: /To sign/ }).waitFor();
    await shot(handler, '12-workbench-english');
    await handler.goto(caseUrl.replace(h.base, ''));
    await handler.getByText('Timeline').waitFor();
    await shot(handler, '13-case-english');
  });
});

async function handleCase(page: Page, reply: string) {
  await page.getByTestId('action-sign').click();
  await page.getByTestId('action-reply').waitFor();
  await page.getByTestId('action-reply').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('回复内容（至少 5 个字）').fill(reply);
  await dialog.getByRole('button', { name: /确\s*定/ }).click();
  await page.getByTestId('status').filter({ hasText: '已回复' }).waitFor();
}

async function rate(page: Page, resolution: string, satisfaction: string) {
  await page.goto('/resident/mine');
  const form = page.getByTestId('rating-form');
  await form.waitFor();
  await form.getByText(resolution, { exact: true }).click();
  await form.getByText(satisfaction, { exact: true }).click();
  if (satisfaction === '不满意') await form.getByLabel('意见（可选）').fill('垃圾还在');
  await shot(page, `rate-${satisfaction}`);
  await form.getByRole('button', { name: '提交评价' }).click();
  await form.waitFor({ state: 'detached' });
}
