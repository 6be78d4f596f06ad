import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { appeals, events, notifications, rollupDeltas } from '../../db/schema.ts';
import { distanceM } from '../../lib/geo.ts';
import { duplicateRule, findProbableDuplicates, similarity } from './duplicates.ts';
import { linkDuplicates } from './duplicate-link.ts';
import { findAppeal, type AppealRow } from './appeals.repository.ts';

const text = '小区门口垃圾三天没人清运，味道很大';
/** ~33 m and ~220 m north of the C1 pin. */
const near = { lon: pins.c1.lon, lat: pins.c1.lat + 0.0003 };
const far = { lon: pins.c1.lon, lat: pins.c1.lat + 0.002 };

describe('probable duplicates on intake', () => {
  let t: TestContext;
  let req: AppealTestApp['req'];
  let fx: AppealTestApp['fx'];

  before(async () => {
    ({ t, fx, req } = await appealTestApp());
  });
  after(() => t.close());

  /** A report through the intake API, which links or merges a probable duplicate right after writing the case. */
  async function report(who: 'resident' | 'resident2', body: { text?: string; categoryCode?: string; location?: object; urgency?: string }): Promise<AppealRow> {
    const res = await req(who, 'POST', '/api/v1/appeals', { text, categoryCode: 'garbage_collection', location: pins.c1, ...body });
    assert.equal(res.statusCode, 201, res.body);
    const appeal = (await findAppeal(t.db, res.json().id))!;
    assert.equal(res.json().status, appeal.status, 'the answer tells the reporter at once');
    return appeal;
  }

  it('measures text and distance', () => {
    assert.equal(similarity(text, text), 1);
    assert.equal(similarity(text, '路灯不亮'), 0);
    assert.equal(similarity('市民来电反映：' + text + '，希望尽快处理。', text), 1, 'boilerplate and punctuation do not count');
    const s = similarity(text, '小区门口的垃圾好几天没人清运了');
    assert.ok(s > 0.2 && s < 0.6, String(s));
    assert.equal(similarity(text, '小区门口的垃圾好几天没人清运了'), similarity('小区门口的垃圾好几天没人清运了', text));
    assert.ok(Math.abs(distanceM(22.6, 113.95, 22.601, 113.95) - 111.2) < 0.5);
    assert.deepEqual(duplicateRule('garbage_collection', 'street'), { radiusM: 100, windowDays: 7 });
    assert.deepEqual(duplicateRule('renovation_noise', 'community'), { radiusM: 50, windowDays: 7 });
    assert.deepEqual(duplicateRule('construction_noise', 'district'), { radiusM: 300, windowDays: 7 });
    assert.equal(duplicateRule('wage_arrears', 'district').radiusM, null);
  });

  it('merges a near-identical report nearby into the open case and tells the resident', async () => {
    const first = await report('resident', {});
    assert.equal(first.status, 'dispatched');
    const second = await report('resident2', { text: '市民反映：小区门口垃圾三天没人清运了，味道很大！', location: near });
    assert.equal(second.status, 'merged');
    // Inside a transaction the lookup runs alone (not batched) and finds the same.
    const inTx = await t.db.transaction((tx) => findProbableDuplicates(tx, { ...second, status: 'dispatched', parentId: null, duplicateOfId: null }));
    assert.deepEqual(inTx.map((c) => c.appeal.id), [first.id]);
    assert.equal(second.parentId, first.id);
    assert.equal(second.duplicateOfId, first.id);
    assert.equal(second.leadOrgId, null);

    const tracked = (await req(null, 'GET', `/api/v1/appeals/track/${second.code}`)).json();
    assert.equal(tracked.status, 'merged');
    assert.equal(tracked.parentCode, first.code);
    const mergedEvent = tracked.timeline.find((e: { action: string }) => e.action === 'appeal.merged');
    assert.match(mergedEvent.note, new RegExp(`同一问题已在办理中（诉求 ${first.code}）`));
    assert.equal(mergedEvent.actorRole, 'system');

    const notices = await t.db.select().from(notifications).where(and(eq(notifications.accountId, fx.accounts.resident2.id), eq(notifications.kind, 'appeal.merged')));
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.title, /已在处理中/);
    const deltas = await t.db.select().from(rollupDeltas).where(eq(rollupDeltas.metric, 'merged'));
    assert.equal(deltas.length, 1);
    const parentEvents = await t.db.select().from(events).where(and(eq(events.subjectId, first.id), eq(events.action, 'appeal.duplicate_merged')));
    assert.equal(parentEvents.length, 1);
    assert.equal(parentEvents[0]!.visibility, 'staff');

    // When the parent is closed, the merged report hears the result (closeInTransaction).
    await req('handler', 'POST', `/api/v1/appeals/${first.id}/sign`);
    await req('handler', 'POST', `/api/v1/appeals/${first.id}/reply`, { text: '已清运完毕，并加密清运频次。' });
    const closed = await req('dispatcher', 'POST', `/api/v1/appeals/${first.id}/close`, {});
    assert.equal(closed.statusCode, 200, closed.body);
    const told = await t.db.select().from(notifications).where(and(eq(notifications.accountId, fx.accounts.resident2.id), eq(notifications.kind, 'appeal.closed')));
    assert.equal(told.length, 1);
  });

  it('links a similar report for the dispatcher without merging it', async () => {
    // Elsewhere in the community than the other tests' cases.
    const here = { lon: pins.c1.lon + 0.02, lat: pins.c1.lat };
    const first = await report('resident', { text: '幸福路12号门口垃圾三天没人清运，味道很大', location: here });
    const second = await report('resident2', { text: '幸福路12号门口的垃圾堆了好几天了', location: { lon: here.lon, lat: here.lat + 0.0006 } });
    assert.equal(second.status, 'dispatched', 'still with its unit');
    assert.equal(second.duplicateOfId, first.id);
    assert.equal(second.parentId, null);
    const staff = (await req('dispatcher', 'GET', `/api/v1/appeals/${second.id}`)).json();
    const suspected = staff.timeline.find((e: { action: string }) => e.action === 'appeal.duplicate_suspected');
    assert.equal(suspected.data.duplicateOfCode, first.code);
    assert.deepEqual(staff.duplicateOf, { id: first.id, code: first.code, status: 'dispatched' }, 'the case page shows the candidate');
    assert.ok(suspected.data.similarity >= 0.2 && suspected.data.similarity < 0.6);
    assert.ok(suspected.data.distanceM > 50 && suspected.data.distanceM < 100);
    const publicView = (await req(null, 'GET', `/api/v1/appeals/track/${second.code}`)).json();
    assert.ok(!publicView.timeline.some((e: { action: string }) => e.action === 'appeal.duplicate_suspected'), 'staff only');
    const notices = await t.db.select().from(notifications).where(and(eq(notifications.accountId, fx.accounts.dispatcher.id), eq(notifications.kind, 'appeal.duplicate_suspected')));
    assert.equal(notices.length, 1, JSON.stringify(notices));
    // The dispatcher decides: merging by hand works as before.
    const merged = await req('dispatcher', 'POST', `/api/v1/appeals/${second.id}/merge`, { parentId: first.id });
    assert.equal(merged.statusCode, 200, merged.body);
    assert.equal((await linkDuplicates(t.db, { actor: null, now: t.clock() }, (await findAppeal(t.db, second.id))!)).status, 'merged', 'idempotent');
  });

  it('does not link another category, a far place, an old case, a closed case or personal matters', async () => {
    const street = 'D1S1C2 东社区 建设路 88 号路口的路灯不亮';
    const light = await report('resident', { text: street, categoryCode: 'streetlight', location: pins.c2 });
    // Same words, same place, another category.
    const other = await report('resident2', { text: street, categoryCode: 'traffic_signal', location: pins.c2 });
    assert.equal(other.duplicateOfId, null);
    // Same category and words, 220 m away (streetlights: 150 m).
    const away = await report('resident2', { text: street, categoryCode: 'streetlight', location: { lon: pins.c2.lon, lat: pins.c2.lat + 0.002 } });
    assert.equal(away.duplicateOfId, null);
    assert.equal((await findProbableDuplicates(t.db, away)).length, 0);

    // Reported eight days ago, the first report is outside the 7-day window.
    await t.db.update(appeals).set({ createdAt: new Date(t.clock().getTime() - 8 * 86_400_000) }).where(eq(appeals.id, light.id));
    const later = await report('resident2', { text: street, categoryCode: 'streetlight', location: pins.c2 });
    assert.equal(later.duplicateOfId, null);
    assert.equal((await findProbableDuplicates(t.db, (await findAppeal(t.db, light.id))!)).length, 0, 'a later case is never the earlier one’s duplicate');

    // A closed case is not a candidate.
    const done = await report('resident', { text: '幸福里小区东门垃圾桶满溢没人清理', location: far });
    await t.db.update(appeals).set({ status: 'closed' }).where(eq(appeals.id, done.id));
    const again = await report('resident2', { text: '幸福里小区东门垃圾桶满溢没人清理', location: far });
    assert.equal(again.duplicateOfId, null);
    assert.equal(again.status, 'dispatched');

    // Unpaid wages: every worker's own case.
    const wages = '某某公司拖欠三个月工资不发';
    await report('resident', { text: wages, categoryCode: 'wage_arrears' });
    const wages2 = await report('resident2', { text: wages, categoryCode: 'wage_arrears' });
    assert.equal(wages2.duplicateOfId, null);
  });

  it('decides again when the earlier case moved on after it was read; links written together', async () => {
    const spot = (k: number) => ({ lon: pins.c1.lon + 0.004 * k, lat: pins.c1.lat - 0.003 });
    const story = (k: number) => `和平路${k}号门口垃圾桶满溢，三天没人清运`;
    // Cases with words of their own, so intake links none of them.
    const parent = await report('resident', { text: story(1), location: spot(1) });
    const child = await report('resident2', { text: '楼下绿化带里有人乱倒建筑垃圾', location: spot(1) });
    assert.equal(child.duplicateOfId, null);
    const system = { actor: null, now: t.clock() };
    const eventsOf = async (id: string) => (await t.db.select().from(events).where(eq(events.subjectId, id))).map((e) => e.action);

    // Read as dispatched, signed since: still mergeable, decided again on the locked row.
    await req('handler', 'POST', `/api/v1/appeals/${parent.id}/sign`);
    const stale = { ...parent, text: child.text };
    const merged = await linkDuplicates(t.db, system, child, { level: 'street', candidates: [stale] });
    assert.equal(merged.status, 'merged');
    assert.equal((await findAppeal(t.db, child.id))!.parentId, parent.id);
    assert.deepEqual((await eventsOf(child.id)).filter((a) => a === 'appeal.merged'), ['appeal.merged'], 'one merge event, not two');

    // Read as open, closed since: not a candidate any more; nothing written.
    const closedOne = await report('resident', { text: story(2), location: spot(2) });
    const late = await report('resident2', { text: '小区里的路灯一直闪个不停', location: spot(2) });
    await t.db.update(appeals).set({ status: 'closed' }).where(eq(appeals.id, closedOne.id));
    const before = await eventsOf(late.id);
    const kept = await linkDuplicates(t.db, system, late, { level: 'street', candidates: [{ ...closedOne, text: late.text }] });
    assert.equal(kept.duplicateOfId, null);
    assert.equal((await findAppeal(t.db, late.id))!.duplicateOfId, null);
    assert.deepEqual(await eventsOf(late.id), before);
    assert.ok(!(await eventsOf(closedOne.id)).includes('appeal.duplicate_merged'));

    // Several at once (concurrent links share statements): each case decided on its own. The
    // third names the second as its parent while the second is being merged: it stays alone.
    const p3 = await report('resident', { text: story(3), location: spot(3) });
    const [a, b, c] = await Promise.all(
      ['垃圾站旁边井盖缺了一块', '小区门前有车辆长期乱停', '路边摊占道经营很严重'].map((words) => report('resident2', { text: words, location: spot(3) })),
    );
    const asCandidate = (x: AppealRow, words: string) => ({ ...x, text: words });
    const results = await Promise.all([
      linkDuplicates(t.db, system, a!, { level: 'street', candidates: [asCandidate(p3, a!.text)] }),
      linkDuplicates(t.db, system, b!, { level: 'street', candidates: [asCandidate(p3, b!.text)] }),
      linkDuplicates(t.db, system, c!, { level: 'street', candidates: [asCandidate(b!, c!.text)] }),
    ]);
    assert.deepEqual(results.map((r) => [r.status, r.parentId]), [['merged', p3.id], ['merged', p3.id], ['dispatched', null]]);
    for (const r of results) assert.deepEqual(await findAppeal(t.db, r.id), r, 'the answer is the row as written');
    assert.deepEqual((await eventsOf(p3.id)).filter((x) => x === 'appeal.duplicate_merged'), ['appeal.duplicate_merged', 'appeal.duplicate_merged']);
    const told = await t.db.select().from(notifications).where(and(eq(notifications.accountId, fx.accounts.resident2.id), eq(notifications.kind, 'appeal.merged')));
    assert.equal(told.filter((n) => n.subjectId === a!.id || n.subjectId === b!.id).length, 2);
  });

  it('an urgent report is linked to a normal case, never merged into it; without a pin only linked', async () => {
    const place = { lon: pins.c1.lon + 0.01, lat: pins.c1.lat };
    const normal = await report('resident', { text: '小区门口井盖松动有响声', categoryCode: 'road_damage', location: place });
    const urgent = await report('resident2', { text: '小区门口井盖松动有响声', categoryCode: 'road_damage', location: place, urgency: 'urgent' });
    assert.equal(urgent.status, 'submitted', 'not merged (no transport unit in the fixture: the dispatch queue)');
    assert.equal(urgent.parentId, null);
    assert.equal(urgent.duplicateOfId, normal.id);

    const byAddress = await report('resident', { text: '西社区幸福里垃圾站满了没人清理', location: { address: '西社区幸福里' } });
    const byAddress2 = await report('resident2', { text: '西社区幸福里垃圾站满了没人清理', location: { address: '西社区幸福里' } });
    assert.equal(byAddress2.status, 'dispatched', 'no pin: linked, not merged');
    assert.equal(byAddress2.duplicateOfId, byAddress.id);
  });
});
