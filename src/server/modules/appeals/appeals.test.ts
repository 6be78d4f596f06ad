import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp, nextSpot, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { account } from '../../../../test/helpers/factories.ts';
import { appeals, events, notifications, rollupDeltas } from '../../db/schema.ts';

describe('appeals: a complete life and its branches', () => {
  let t: TestContext;
  let req: AppealTestApp['req'];
  let fx: AppealTestApp['fx'];
  before(async () => {
    ({ t, fx, req } = await appealTestApp());
  });
  after(() => t.close());

  const report = (who: 'resident' | 'resident2', extra: object = {}) =>
    req(who, 'POST', '/api/v1/appeals', { text: '小区门口垃圾三天没人清运，味道很大', categoryCode: 'garbage_collection', location: nextSpot(), ...extra });

  it('intake → auto-route → sign → reply → not satisfied → reopen → sign → reply → satisfied → closed', async () => {
    const res = await report('resident', { clientKey: 'life-0001' });
    assert.equal(res.statusCode, 201, res.body);
    const { id, code, status } = res.json();
    assert.equal(status, 'dispatched');
    assert.match(code, /^\d{12}$/);
    const staffView = (await req('handler', 'GET', `/api/v1/appeals/${id}`)).json();
    assert.equal(staffView.leadUnit.id, fx.orgs.enf.id);
    assert.match(staffView.routeRule, /^default:garbage_collection/);
    assert.ok(staffView.routeReason.length > 0);
    assert.equal(staffView.contact.contactPhone, null, 'a signed-in resident gave no separate contact');
    assert.deepEqual(staffView.allowedActions.includes('sign'), true);
    // Deadlines: sign within 1 working day, resolve within 2 (garbage_collection); Monday 10:00 Shanghai.
    assert.equal(staffView.signDueAt, '2026-11-24T02:00:00.000Z');
    assert.equal(staffView.resolveDueAt, '2026-11-25T02:00:00.000Z');

    assert.equal((await req('handler', 'POST', `/api/v1/appeals/${id}/sign`)).json().status, 'signed');
    const replied = await req('handler', 'POST', `/api/v1/appeals/${id}/reply`, { text: '已安排清运，现场已清理干净。' });
    assert.equal(replied.json().status, 'replied', replied.body);
    const unhappy = await req('resident', 'POST', `/api/v1/appeals/${id}/rate`, { resolution: 'unresolved', satisfaction: 'unsatisfied', comment: '第二天又堆满了' });
    assert.equal(unhappy.statusCode, 200, unhappy.body);
    assert.equal(unhappy.json().status, 'reopened');
    assert.equal((await req('handler', 'POST', `/api/v1/appeals/${id}/sign`)).json().status, 'signed');
    await req('handler', 'POST', `/api/v1/appeals/${id}/reply`, { text: '已增加清运频次为每日两次。' });
    const happy = await req('resident', 'POST', `/api/v1/appeals/${id}/rate`, { resolution: 'resolved', satisfaction: 'satisfied' });
    assert.equal(happy.json().status, 'closed', happy.body);

    const tracked = await req(null, 'GET', `/api/v1/appeals/track/${code}`);
    assert.equal(tracked.statusCode, 200);
    const actions = tracked.json().timeline.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, ['appeal.submitted', 'appeal.dispatched', 'appeal.signed', 'appeal.replied', 'appeal.rated', 'appeal.reopened', 'appeal.signed', 'appeal.replied', 'appeal.rated', 'appeal.closed']);
    assert.ok(!JSON.stringify(tracked.json()).includes('13800000001'), 'no phone in the public view');
    // Intake's own events name what every later change's do (appealChangeEvent): the code, the
    // units, and on public steps the reporter, whose live stream shows them.
    const [row] = await t.db.select().from(appeals).where(eq(appeals.id, id));
    const timeline = await t.db.select().from(events).where(and(eq(events.subjectType, 'appeal'), eq(events.subjectId, id))).orderBy(events.id);
    const named = (e: (typeof timeline)[number] | undefined) => {
      const data = e?.data as { code?: string; organisationIds?: string[]; accountIds?: string[] } | undefined;
      return { code: data?.code, organisationIds: data?.organisationIds, accountIds: data?.accountIds };
    };
    assert.deepEqual(named(timeline[0]), { code, organisationIds: [fx.orgs.enf.id, row!.dispatchOrgId], accountIds: [row!.reporterId] });
    assert.deepEqual(named(timeline[1]), named(timeline[0]));
    assert.deepEqual(named(timeline.find((e) => e.action === 'appeal.signed')), named(timeline[0]));
    const metrics = (await t.db.select().from(rollupDeltas)).filter((d) => d.territoryPath === '440300.D1.D1S1.D1S1C1.D1S1C1G1').map((d) => d.metric);
    for (const m of ['received', 'dispatched', 'signed', 'signed_on_time', 'replied', 'rated', 'unsatisfied', 'reopened', 'satisfied', 'resolved', 'closed', 'closed_on_time']) {
      assert.ok(metrics.includes(m), `metric ${m}`);
    }
  });

  it('returns the first case for a retried submission with the same client key', async () => {
    const a = await report('resident', { clientKey: 'retry-key-1' });
    const b = await report('resident', { clientKey: 'retry-key-1' });
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 200);
    assert.equal(b.json().id, a.json().id);
    assert.equal(b.json().created, false);
    const rows = await t.db.select().from(appeals).where(eq(appeals.id, a.json().id));
    assert.equal(rows.length, 1);
  });

  it('writes concurrent submissions together, each whole, and a concurrent retry once', async () => {
    const texts = Array.from({ length: 24 }, (_, i) => `第${i}号楼下的垃圾桶满了没人清理，已经好几天了`);
    const responses = await Promise.all([
      ...texts.map((text, i) => report(i % 2 ? 'resident' : 'resident2', { text, clientKey: `burst-key-${i}` })),
      report('resident', { clientKey: 'burst-key-1' }),
    ]);
    assert.ok(responses.every((r) => r.statusCode === 201 || r.statusCode === 200), responses.map((r) => r.body).join('\n'));
    const ids = new Set(responses.map((r) => r.json().id as string));
    assert.equal(ids.size, 24, 'the retry returned the first case');
    assert.equal(responses.filter((r) => r.json().created === false).length, 1);
    for (const id of ids) {
      const timeline = await t.db.select().from(events).where(and(eq(events.subjectType, 'appeal'), eq(events.subjectId, id)));
      assert.deepEqual(timeline.map((e) => e.action).sort(), ['appeal.dispatched', 'appeal.submitted']);
      const notices = await t.db.select().from(notifications).where(eq(notifications.subjectId, id));
      assert.equal(notices.length, 1, 'the lead unit\'s one handler is told');
    }
  });

  it('alerts the unit and the leader on duty to an urgent report', async () => {
    const res = await report('resident', { text: '小区门口燃气管道漏气，味道很浓，有危险' });
    assert.equal(res.statusCode, 201, res.body);
    const { id, urgency } = res.json();
    assert.equal(urgency, 'urgent', 'danger words make a report urgent without the resident saying so');
    const alerts = await t.db.select().from(notifications).where(and(eq(notifications.subjectId, id), eq(notifications.kind, 'appeal.urgent')));
    const told = alerts.map((n) => n.accountId).sort();
    assert.deepEqual(told, [fx.accounts.handler.id, fx.accounts.leader.id].sort());
    assert.match(alerts[0]!.title, /^【紧急】/);
  });

  it('keeps other communities and residents out', async () => {
    const { id } = (await report('resident')).json();
    assert.equal((await req('c2worker', 'GET', `/api/v1/appeals/${id}`)).statusCode, 404);
    assert.equal((await req('c2worker', 'POST', `/api/v1/appeals/${id}/sign`)).statusCode, 403);
    assert.equal((await req('resident2', 'GET', `/api/v1/appeals/${id}`)).statusCode, 404);
    assert.equal((await req('resident2', 'POST', `/api/v1/appeals/${id}/rate`, { resolution: 'resolved', satisfaction: 'satisfied' })).statusCode, 403);
    assert.equal((await req('c1worker', 'GET', `/api/v1/appeals/${id}`)).statusCode, 200, 'the community the case lies in sees it');
    assert.equal((await req('leader', 'GET', `/api/v1/appeals/${id}`)).statusCode, 200);
    assert.equal((await req('water', 'POST', `/api/v1/appeals/${id}/reply`, { text: '不是我们的事情' })).statusCode, 403);
    assert.equal((await req('handler', 'POST', `/api/v1/appeals/${id}/dispatch`, { organisationId: fx.orgs.cws1.id })).statusCode, 403, 'handlers do not dispatch');
    assert.equal((await req('resident', 'POST', `/api/v1/appeals/${id}/supervise`, {})).statusCode, 403);
    const list = await req('c2worker', 'GET', '/api/v1/appeals?queue=all');
    assert.ok(!list.json().items.some((x: { id: string }) => x.id === id));
  });

  it('return with a reason → re-dispatch; after two returns the ruling is final', async () => {
    const { id } = (await report('resident')).json();
    const noReason = await req('handler', 'POST', `/api/v1/appeals/${id}/return`, { reason: '' });
    assert.equal(noReason.statusCode, 400);
    const r1 = await req('handler', 'POST', `/api/v1/appeals/${id}/return`, { reason: '属于社区物业管理范围' });
    assert.equal(r1.json().status, 'returned');
    assert.equal((await req('dispatcher', 'GET', `/api/v1/appeals/${id}`)).json().returnCount, 1);
    assert.equal((await req('handler', 'GET', `/api/v1/appeals/${id}`)).statusCode, 404, 'no longer the handler’s case');
    const d1 = await req('dispatcher', 'POST', `/api/v1/appeals/${id}/dispatch`, { organisationId: fx.orgs.enf.id, note: '经核实属执法队职责' });
    assert.equal(d1.json().status, 'dispatched', d1.body);
    await req('handler', 'POST', `/api/v1/appeals/${id}/return`, { reason: '仍认为不属于本单位' });
    await req('dispatcher', 'POST', `/api/v1/appeals/${id}/dispatch`, { organisationId: fx.orgs.enf.id, note: '首接负责' });
    const third = await req('handler', 'POST', `/api/v1/appeals/${id}/return`, { reason: '第三次退单尝试' });
    assert.equal(third.statusCode, 409);
    assert.equal(third.json().error.code, 'invalid_state');
    const farUnit = await req('dispatcher', 'POST', `/api/v1/appeals/${id}/dispatch`, { organisationId: fx.orgs.cws2.id });
    assert.equal(farUnit.statusCode, 409, 'not in a dispatchable state now');
  });

  it('extension: asked before the deadline, approved by the dispatcher, the resident told', async () => {
    const { id } = (await report('resident')).json();
    await req('handler', 'POST', `/api/v1/appeals/${id}/sign`);
    const before = (await req('handler', 'GET', `/api/v1/appeals/${id}`)).json();
    const until = new Date(Date.parse(before.resolveDueAt) + 3 * 86_400_000).toISOString();
    const ask = await req('handler', 'POST', `/api/v1/appeals/${id}/extension`, { until, reason: '需协调环卫公司增派车辆' });
    assert.equal(ask.json().extensionRequestedUntil, until);
    const twice = await req('handler', 'POST', `/api/v1/appeals/${id}/extension`, { until, reason: '再次申请延期' });
    assert.equal(twice.statusCode, 409);
    const ok = await req('dispatcher', 'POST', `/api/v1/appeals/${id}/extension/decision`, { approve: true });
    assert.equal(ok.json().resolveDueAt, until);
    assert.equal(ok.json().extensionCount, 1);
    const told = await t.db.select().from(notifications).where(and(eq(notifications.accountId, fx.accounts.resident.id), eq(notifications.kind, 'appeal.extended')));
    assert.equal(told.length, 1);
  });

  it('escalation brings co-handlers who must sign before the lead replies', async () => {
    const { id } = (await report('resident')).json();
    await req('handler', 'POST', `/api/v1/appeals/${id}/sign`);
    const esc = await req('handler', 'POST', `/api/v1/appeals/${id}/escalate`, { organisationIds: [fx.orgs.water.id], note: '涉及排水管网，请水务协办' });
    assert.equal(esc.statusCode, 200, esc.body);
    assert.equal(esc.json().handlers.length, 2);
    const early = await req('handler', 'POST', `/api/v1/appeals/${id}/reply`, { text: '已处理完毕，现场恢复正常' });
    assert.equal(early.statusCode, 409);
    assert.match(early.json().error.message, /一区水务局/);
    assert.equal((await req('water', 'GET', `/api/v1/appeals/${id}`)).statusCode, 200, 'a co-handler sees the case');
    assert.equal((await req('water', 'POST', `/api/v1/appeals/${id}/sign`)).statusCode, 200);
    const done = await req('handler', 'POST', `/api/v1/appeals/${id}/reply`, { text: '已与水务局联合处置完毕' });
    assert.equal(done.json().status, 'replied');
  });

  it('merges a duplicate; its reporter hears the result when the parent closes', async () => {
    const parent = (await report('resident')).json();
    const child = (await report('resident2', { text: '路口垃圾堆积好几天了' })).json();
    const merged = await req('dispatcher', 'POST', `/api/v1/appeals/${child.id}/merge`, { parentId: parent.id });
    assert.equal(merged.json().status, 'merged', merged.body);
    const mine = await req('resident2', 'GET', '/api/v1/appeals/mine');
    assert.equal(mine.json().find((a: { id: string }) => a.id === child.id).parentCode, parent.code);
    await req('handler', 'POST', `/api/v1/appeals/${parent.id}/sign`);
    await req('handler', 'POST', `/api/v1/appeals/${parent.id}/reply`, { text: '已全部清运完毕' });
    await req('dispatcher', 'POST', `/api/v1/appeals/${parent.id}/close`, {});
    const notes = await t.db.select().from(notifications).where(eq(notifications.accountId, fx.accounts.resident2.id));
    assert.ok(notes.some((n) => n.kind === 'appeal.merged'));
    assert.ok(notes.some((n) => n.kind === 'appeal.closed'));
  });

  it('an operator answers an enquiry on the spot; contacts are masked and revealing one is audited', async () => {
    const res = await req('operator', 'POST', '/api/v1/appeals', {
      text: '市民来电咨询社区证明怎么开',
      channel: 'hotline',
      location: { territoryCode: 'D1S1C1' },
      contactName: '李四',
      contactPhone: '13912345678',
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().status, 'submitted', 'no category: waits for a dispatcher');
    const answered = await req('operator', 'POST', `/api/v1/appeals/${res.json().id}/answer`, { answer: '携带身份证到社区工作站办理即可' });
    assert.equal(answered.json().status, 'closed', answered.body);
    assert.equal(answered.json().contact.contactPhone, '139****5678');

    const other = (await report('resident', { contactName: '张三', contactPhone: '13700000000' })).json();
    const revealed = await req('handler', 'POST', `/api/v1/appeals/${other.id}/reveal-contact`);
    assert.equal(revealed.json().contactPhone, '13700000000');
    assert.equal((await req('leader', 'POST', `/api/v1/appeals/${other.id}/reveal-contact`)).statusCode, 403);
    const audit = await t.db.select().from(events).where(and(eq(events.action, 'appeal.contact_revealed'), eq(events.subjectId, other.id)));
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.visibility, 'audit');
  });

  it('answers bad input with the status and field at fault, writing nothing', async () => {
    const before = (await t.db.select().from(appeals)).length;
    const cases: [object, number, string, string?][] = [
      [{ text: '', location: pins.c1 }, 400, 'validation_failed'],
      [{ text: 'x'.repeat(4001), location: pins.c1 }, 400, 'validation_failed'],
      [{ text: '有问题', location: pins.outside }, 422, 'out_of_area', '/location'],
      [{ text: '有问题', categoryCode: 'no_such', location: pins.c1 }, 400, 'validation_failed', '/categoryCode'],
      [{ text: '有问题', location: {} }, 400, 'validation_failed', '/location'],
      [{ text: '有问题', location: { address: '火星基地' } }, 422, 'out_of_area', '/location/address'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await req('resident', 'POST', '/api/v1/appeals', body);
      assert.equal(res.statusCode, status, JSON.stringify(body) + res.body);
      assert.equal(res.json().error.code, code);
      if (field) assert.equal(res.json().error.details[0].field, field);
    }
    const anon = await req(null, 'POST', '/api/v1/appeals', { text: '路灯不亮', location: pins.c1 });
    assert.equal(anon.statusCode, 400);
    assert.equal(anon.json().error.details[0].field, '/contactPhone');
    assert.equal((await req(null, 'POST', '/api/v1/appeals', { text: '路灯不亮', channel: 'hotline', location: pins.c1, contactPhone: '13800000009' })).statusCode, 401);
    assert.equal((await req('resident', 'POST', '/api/v1/appeals', { text: '路灯不亮', channel: 'hotline', location: pins.c1 })).statusCode, 403);
    assert.equal((await t.db.select().from(appeals)).length, before, 'nothing half-written');
    const byAddress = await req(null, 'POST', '/api/v1/appeals', { text: '东社区路灯不亮', location: { address: '一区东社区幸福路3号' }, contactPhone: '13800000009' });
    assert.equal(byAddress.statusCode, 201, 'an address naming a community is placed there');
    const closed = (await report('resident')).json();
    await t.db.update(appeals).set({ status: 'closed' }).where(eq(appeals.id, closed.id));
    const wrongState = await req('handler', 'POST', `/api/v1/appeals/${closed.id}/sign`);
    assert.equal(wrongState.statusCode, 409);
    assert.equal((await req(null, 'GET', '/api/v1/appeals/track/1234 5678 9012')).statusCode, 400, 'check digit');
  });
  it('alerts only the nearest leaders to an urgent report: a street leader over its street, not the district leader too', async () => {
    const text = '楼道里燃气管道漏气，味道很浓，有危险';
    const first = (await report('resident', { text })).json();
    const [placed] = await t.db.select({ path: appeals.territoryPath }).from(appeals).where(eq(appeals.id, first.id));
    const [, , street, community] = placed!.path.split('.');
    const streetLeader = await account(t.db, { username: 'streetleader', role: 'leader', territoryCode: street! });
    const res = await report('resident', { text, location: { territoryCode: community! } });
    assert.equal(res.statusCode, 201, res.body);
    const alerts = await t.db.select().from(notifications).where(and(eq(notifications.subjectId, res.json().id), eq(notifications.kind, 'appeal.urgent')));
    assert.deepEqual(alerts.map((n) => n.accountId).sort(), [fx.accounts.handler.id, streetLeader.id].sort());
  });
});
