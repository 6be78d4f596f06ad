import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { testClock, type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp, nextSpot, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { account } from '../../../../test/helpers/factories.ts';
import { runJobOnce } from '../../jobs/runner.ts';
import { appeals, events, notifications } from '../../db/schema.ts';
import { deadlineSweepJob } from './deadline-sweep.ts';

describe('deadline sweep', () => {
  let t: TestContext;
  let req: AppealTestApp['req'];
  let fx: AppealTestApp['fx'];
  before(async () => {
    // Monday 2026-11-23 10:00 in Shanghai.
    ({ t, fx, req } = await appealTestApp({ clock: testClock('2026-11-23T02:00:00Z') }));
    await account(t.db, { username: 'streetleader', role: 'leader', territoryCode: 'D1S1' });
  });
  after(() => t.close());

  const sweep = () => runJobOnce(t.db, t.clock, deadlineSweepJob);
  const state = async (id: string) => (await t.db.select().from(appeals).where(eq(appeals.id, id)))[0]!;

  it('warns at 80% of the sign time, marks overdue after it, escalates one level, and reruns harmlessly', async () => {
    const { id } = (await req('resident', 'POST', '/api/v1/appeals', { text: '垃圾没有清运', categoryCode: 'garbage_collection', location: nextSpot() })).json();
    assert.equal(await sweep(), 'ran');
    assert.equal((await state(id)).deadlineState, null);
    t.clock.advance(20 * 3600_000); // Tue 06:00: 20 of 24 hours of the sign day used (83%)
    await sweep();
    assert.equal((await state(id)).deadlineState, 'warning');
    t.clock.advance(5 * 3600_000); // Tue 11:00: past the sign deadline
    await sweep();
    const late = await state(id);
    assert.equal(late.deadlineState, 'overdue');
    assert.equal(late.escalationLevel, 1);
    await sweep();
    await sweep();
    assert.equal((await state(id)).escalationLevel, 1, 'reruns change nothing');
    const overdueEvents = await t.db.select().from(events).where(and(eq(events.subjectId, id), eq(events.action, 'appeal.overdue')));
    assert.equal(overdueEvents.length, 1);
    const toUnit = await t.db.select().from(notifications).where(and(eq(notifications.accountId, fx.accounts.handler.id), eq(notifications.kind, 'appeal.overdue')));
    assert.equal(toUnit.length, 1);
    const leaderNotes = await t.db.select().from(notifications).where(eq(notifications.kind, 'appeal.overdue'));
    assert.ok(leaderNotes.some((n) => n.accountId !== fx.accounts.handler.id && n.accountId !== fx.accounts.dispatcher.id), 'a leader above heard of it');

    // Signing late starts the resolve deadline afresh; it can be missed too.
    await req('handler', 'POST', `/api/v1/appeals/${id}/sign`);
    assert.equal((await state(id)).deadlineState, null);
    t.clock.advance(3 * 86_400_000);
    await sweep();
    const again = await state(id);
    assert.equal(again.deadlineState, 'overdue');
    assert.equal(again.escalationLevel, 2);
  });

  it('treats urgent cases on the clock: sign within 30 minutes', async () => {
    const { id } = (await req('resident', 'POST', '/api/v1/appeals', { text: '井盖丢失，有人掉下去的危险', categoryCode: 'manhole_cover', urgency: 'urgent', location: pins.c1 })).json();
    t.clock.advance(25 * 60_000);
    await sweep();
    assert.equal((await state(id)).deadlineState, 'warning');
    t.clock.advance(6 * 60_000);
    await sweep();
    assert.equal((await state(id)).deadlineState, 'overdue');
  });

  it('closes a replied case nobody rated within 7 days', async () => {
    const { id } = (await req('resident', 'POST', '/api/v1/appeals', { text: '垃圾没有清运', categoryCode: 'garbage_collection', location: nextSpot() })).json();
    await req('handler', 'POST', `/api/v1/appeals/${id}/sign`);
    await req('handler', 'POST', `/api/v1/appeals/${id}/reply`, { text: '已经清运完毕' });
    t.clock.advance(6 * 86_400_000);
    await sweep();
    assert.equal((await state(id)).status, 'replied');
    t.clock.advance(2 * 86_400_000);
    await sweep();
    assert.equal((await state(id)).status, 'closed');
  });
});
