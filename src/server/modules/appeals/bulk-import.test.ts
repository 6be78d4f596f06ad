import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp } from '../../../../test/helpers/appeal-fixture.ts';
import { login } from '../../../../test/helpers/factories.ts';
import { appeals } from '../../db/schema.ts';

describe('bulk intake', () => {
  let t: TestContext;
  let operator: string;
  before(async () => {
    ({ t } = await appealTestApp());
    operator = await login(t.app, 'operator');
  });
  after(() => t.close());

  const csv = [
    'text,category,lon,lat,address,territory,contact_name,contact_phone,channel',
    '市民来电反映小区垃圾未清运,garbage_collection,113.95,22.6,,,王五,13811112222,hotline',
    '来信反映楼上装修噪音扰民,renovation_noise,,,,D1S1C2,赵六,13822223333,letter',
    '反映路灯不亮,,120,30,,,,,hotline',
    ',garbage_collection,113.95,22.6,,,,,hotline',
    '来电反映东社区井盖缺失,manhole_cover,,,一区东社区文化路,,孙七,abc,hotline',
  ].join('\n');

  const post = (body: string, type: string, cookie = operator) =>
    t.app.inject({ method: 'POST', url: '/api/v1/appeals/import', headers: { cookie, 'content-type': type }, payload: body });

  it('imports a CSV row by row with a report, and a second import creates nothing', async () => {
    const res = await post(csv, 'text/csv');
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json();
    assert.deepEqual(
      report.rows.map((r: { status: string }) => r.status),
      ['created', 'created', 'rejected', 'rejected', 'rejected'],
    );
    assert.equal(report.rows[2].error.code, 'out_of_area');
    assert.equal(report.rows[3].error.field, 'text');
    assert.equal(report.rows[4].error.field, 'contact_phone');
    const again = (await post(csv, 'text/csv')).json();
    assert.equal(again.created, 0);
    assert.equal(again.existing, 2);
    assert.equal((await t.db.select().from(appeals)).length, 2);
  });

  it('imports JSON lines and refuses a line that is not JSON, and residents', async () => {
    const good = [JSON.stringify({ text: '邮箱来信：东社区宠物扰民', category: 'pets', territory: 'D1S1C2', channel: 'mailbox', key: 'mail-1' })].join('\n');
    const res = await post(good, 'application/x-ndjson');
    assert.equal(res.json().created, 1, res.body);
    const broken = await post('{"text": "x"}\nnot json', 'application/x-ndjson');
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error.details[0].field, 'lines/2');
    const resident = await login(t.app, 'resident');
    assert.equal((await post(good, 'application/x-ndjson', resident)).statusCode, 403);
    assert.equal((await post('a,b', 'application/pdf')).statusCode, 415);
  });
});
