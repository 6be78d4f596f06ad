import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { queryRows } from '../../db/client.ts';
import { appeals, classifierModels, events } from '../../db/schema.ts';
import { bumpVersion } from '../../db/versions.ts';
import { activeModel, classifyForIntake, forgetClassifier, trainModel } from './classifier.service.ts';

describe('classifier', () => {
  let t: TestContext;
  let fx: AppealTestApp['fx'];
  let req: AppealTestApp['req'];
  before(async () => {
    ({ t, fx, req } = await appealTestApp());
  });
  after(() => t.close());

  const classify = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/classify', payload: payload as object });
  const versions = async () => queryRows<{ version: string; active: boolean }>(t.db, sql`select version, active from classifier_models order by created_at`);

  it('trains version 1 from the shipped corpus at first use and answers the public contract', async () => {
    assert.deepEqual(await versions(), []);
    const res = await classify({ text: '市民来电反映：3栋2单元楼道里有很浓的煤气味，怀疑燃气泄漏' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['alternatives', 'category', 'confidence', 'modelVersion', 'terms', 'urgent', 'urgentReason']);
    assert.equal(body.category, 'gas_safety');
    assert.equal(body.urgent, true);
    assert.match(body.urgentReason, /燃气/);
    assert.equal(body.modelVersion, '1');
    assert.ok(body.confidence > 0 && body.confidence <= 1);
    assert.equal(body.alternatives.length, 3);
    for (const a of body.alternatives) {
      assert.equal(typeof a.category, 'string');
      assert.ok(a.confidence >= 0 && a.confidence <= body.confidence);
    }
    assert.ok(body.terms.length > 0 && body.terms.some((x: { term: string }) => /煤气|燃气/.test(x.term)), JSON.stringify(body.terms));
    assert.deepEqual(await versions(), [{ version: '1', active: true }]);
    assert.ok(Number(res.headers['x-ratelimit-limit']) >= 600, 'at least 600 requests a minute per client');
  });

  it('puts clear texts in the right category', async () => {
    const cases: [string, string][] = [
      ['小区门口的垃圾桶满了三天没人清运，臭气熏天', 'garbage_collection'],
      ['我们这条路的路灯坏了一个多月，晚上黑漆漆的', 'streetlight'],
      ['楼上邻居每天晚上十二点还在装修电钻', 'renovation_noise'],
      ['公司拖欠我们三个月工资不发', 'wage_arrears'],
      ['B1停车场有车长期占用通道，乱停车', 'illegal_parking'],
      ['电梯一个月坏了好几次，物业不修', 'elevator_fault'],
      ['公租房的申请条件是什么', 'housing_policy'],
      ['楼下餐馆的油烟直排，熏得不敢开窗', 'cooking_fumes'],
    ];
    for (const [text, category] of cases) {
      const body = (await classify({ text })).json();
      assert.equal(body.category, category, `${text} → ${body.category}`);
      assert.equal(body.urgent, false, text);
    }
  });

  it('refuses empty, blank, over-long and missing text with the error shape', async () => {
    for (const payload of [{ text: '' }, { text: '   \n ' }, { text: '井'.repeat(4001) }, {}, { text: null }, { note: '路灯不亮' }]) {
      const res = await classify(payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 40));
      const body = res.json();
      assert.equal(body.error.code, 'validation_failed');
      assert.equal(typeof body.error.message, 'string');
    }
    const notJson = await t.app.inject({ method: 'POST', url: '/api/v1/classify', headers: { 'content-type': 'application/json' }, payload: '{"text": ' });
    assert.equal(notJson.statusCode, 400);
    assert.ok(notJson.json().error.code);
    assert.equal((await classify({ text: '井'.repeat(4000) })).statusCode, 200, '4,000 characters are allowed');
  });

  it('intake: the category above the threshold, suggestions below it, urgency always', async () => {
    const sure = await classifyForIntake(t.db, '公司拖欠我们三个月工资不发', { threshold: 0.3 });
    assert.equal(sure.categoryCode, 'wage_arrears');
    assert.equal(sure.suggestions!.auto, true);
    const unsure = await classifyForIntake(t.db, '公司拖欠我们三个月工资不发', { threshold: 1.01 });
    assert.equal(unsure.categoryCode, null);
    assert.equal(unsure.suggestions!.auto, false);
    assert.equal(unsure.suggestions!.top[0]!.category, 'wage_arrears');
    assert.equal(unsure.suggestions!.top.length, 3);
    assert.equal((await classifyForIntake(t.db, '楼下有人正在打架，已经有人流血了')).urgent, true);
  });

  it('intake without a category: dispatched automatically when sure, suggestions for the dispatcher when not, urgent when dangerous', async () => {
    const caseOf = async (res: { statusCode: number; body: string; json(): { id: string } }) => {
      assert.equal(res.statusCode, 201, res.body);
      const [row] = await t.db.select().from(appeals).where(eq(appeals.id, res.json().id));
      return row!;
    };
    const sure = await caseOf(await req('resident', 'POST', '/api/v1/appeals', { text: '小区门口的垃圾桶满了三天没人清运，臭气熏天', location: pins.c1 }));
    assert.equal(sure.categoryCode, 'garbage_collection');
    assert.equal(sure.status, 'dispatched');
    assert.equal(sure.leadOrgId, fx.orgs.enf.id);
    assert.equal(sure.urgency, 'normal');
    assert.equal((sure.suggestions as { auto: boolean }).auto, true);
    const [dispatched] = await queryRows<{ data: { categoryBy?: string } }>(t.db, sql`select data from events where subject_id = ${sure.id} and action = 'appeal.dispatched'`);
    assert.equal(dispatched!.data.categoryBy, 'classifier');

    const vague = await caseOf(await req('resident', 'POST', '/api/v1/appeals', { text: '有个情况想跟你们反映一下，麻烦回个电话', location: pins.c1 }));
    assert.equal(vague.categoryCode, null);
    assert.equal(vague.status, 'submitted', 'a dispatcher places it');
    const suggestions = vague.suggestions as { auto: boolean; top: { category: string; confidence: number }[]; modelVersion: string };
    assert.equal(suggestions.auto, false);
    assert.equal(suggestions.top.length, 3);
    assert.equal(suggestions.modelVersion, '1');

    const danger = await caseOf(await req('resident', 'POST', '/api/v1/appeals', { text: '楼道里有很浓的煤气味，怀疑燃气泄漏', location: pins.c1 }));
    assert.equal(danger.urgency, 'urgent');
    assert.equal(danger.categoryCode, 'gas_safety');
    const given = await caseOf(await req('resident', 'POST', '/api/v1/appeals', { text: '路中间的井盖不见了，车来车往很危险', categoryCode: 'manhole_cover', location: pins.c1 }));
    assert.equal(given.urgency, 'urgent', 'urgency rules run when the resident chose the category too');
    assert.equal(given.suggestions, null);
  });

  it('retrains on a corrected closed case: a new active version that the endpoint serves', async () => {
    const hub = fx.orgs.hcD1;
    const [grid] = await queryRows<{ id: string; path: string }>(t.db, sql`select id, path from territories where code = 'D1S1C1G1'`);
    const text = '小区北门那棵大榕树的气根垂下来挡住了门禁，刷卡都刷不了';
    const [appeal] = await t.db
      .insert(appeals)
      .values({ code: '900000000001', channel: 'hotline', status: 'closed', text, categoryCode: 'greenery_trees', territoryId: grid!.id, territoryPath: grid!.path, districtCode: 'D1', dispatchOrgId: hub.id, closedAt: new Date() })
      .returning();
    await t.db.insert(events).values({
      action: 'appeal.dispatched',
      subjectType: 'appeal',
      subjectId: appeal!.id,
      visibility: 'public',
      data: { auto: false, categoryFrom: 'property_service', categoryTo: 'greenery_trees' },
    });
    // Fewer epochs: this is about versions, not accuracy (the first test trained the real way).
    const { model, created, metrics } = await trainModel(t.db, { includeConfirmedCases: true, train: { epochs: 2, finishEpochs: 1 } });
    assert.equal(created, true);
    assert.equal(model.version, '2');
    assert.equal(metrics.confirmedCases, 1);
    assert.equal(metrics.correctedCases, 1);
    assert.deepEqual(await versions(), [
      { version: '1', active: false },
      { version: '2', active: true },
    ]);
    assert.equal((await classify({ text: '垃圾三天没人清运' })).json().modelVersion, '2');
  });

  it('a fresh process loads the active model from the database (no training)', async () => {
    // A new process: nothing in memory, a new app on the same database.
    forgetClassifier(t.db);
    const fresh = await buildApp({ config: t.config, database: t.database, clock: t.clock });
    try {
      const res = await fresh.inject({ method: 'POST', url: '/api/v1/classify', payload: { text: '路灯不亮，晚上黑漆漆的' } });
      assert.equal(res.json().modelVersion, '2');
      assert.equal(res.json().category, 'streetlight');
      assert.equal((await versions()).length, 2, 'nothing was trained');
      assert.equal((await activeModel(t.db)).version, '2');
    } finally {
      await fresh.close();
    }
  });

  it('follows a version activated by another process once the change counter moves', async () => {
    // Another process rolls back to version 1: rows and counter change, this process's generation does not.
    await t.db.update(classifierModels).set({ active: false }).where(eq(classifierModels.version, '2'));
    await t.db.update(classifierModels).set({ active: true }).where(eq(classifierModels.version, '1'));
    await bumpVersion(t.db, 'classifier_version');
    assert.equal((await activeModel(t.db)).version, '2', 'within the 2 s freshness window the cached model is served');
    assert.equal((await activeModel(t.db, Date.now() + 5000)).version, '1');
  });

  it('reads CLASSIFIER_THRESHOLD as a fraction', () => {
    assert.equal(loadConfig({ CLASSIFIER_THRESHOLD: '0.75' }).classifierThreshold, 0.75);
    assert.ok(loadConfig({}).classifierThreshold > 0);
    assert.throws(() => loadConfig({ CLASSIFIER_THRESHOLD: '1.5' }), /CLASSIFIER_THRESHOLD/);
    assert.throws(() => loadConfig({ CLASSIFIER_THRESHOLD: 'high' }), /CLASSIFIER_THRESHOLD/);
  });
});
