import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { login } from '../../../../test/helpers/factories.ts';
import { appeals } from '../../db/schema.ts';
import { gpsLatitudeBytes, phoneJpeg } from './photos/test-fixtures.ts';

function multipart(fields: Record<string, string>, files: { name: string; type: string; data: Buffer }[]) {
  const boundary = '----gongzhi' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('appeals with photos', () => {
  let t: TestContext;
  let resident: string;
  before(async () => {
    ({ t } = await appealTestApp());
    resident = await login(t.app, 'resident');
  });
  after(() => t.close());

  const data = JSON.stringify({ text: '人行道井盖破损', categoryCode: 'manhole_cover', location: pins.c1 });

  it('stores photos without their location metadata and serves them with the case', async () => {
    const jpeg = phoneJpeg(64, 48);
    assert.ok(jpeg.includes(gpsLatitudeBytes(true)) || jpeg.includes(gpsLatitudeBytes(false)), 'the fixture carries GPS');
    const form = multipart({ data }, [{ name: 'a.jpg', type: 'image/jpeg', data: jpeg }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/appeals/form', headers: { cookie: resident, ...form.headers }, payload: form.payload });
    assert.equal(res.statusCode, 201, res.body);
    const view = (await t.app.inject({ method: 'GET', url: `/api/v1/appeals/track/${res.json().code}` })).json();
    assert.equal(view.photos.length, 1);
    assert.equal(view.photos[0].width, 64);
    const photo = await t.app.inject({ method: 'GET', url: view.photos[0].url });
    assert.equal(photo.statusCode, 200);
    assert.equal(photo.headers['content-type'], 'image/jpeg');
    assert.equal(photo.headers['x-content-type-options'], 'nosniff');
    assert.ok(!photo.rawPayload.includes(gpsLatitudeBytes(true)) && !photo.rawPayload.includes(gpsLatitudeBytes(false)), 'no GPS in the served copy');
  });

  it('refuses a text file named .jpg (415) and a photo over 10 MB (413), writing no case', async () => {
    const before = (await t.db.select().from(appeals)).length;
    const fake = multipart({ data }, [{ name: 'x.jpg', type: 'image/jpeg', data: Buffer.from('not really a picture') }]);
    const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/appeals/form', headers: { cookie: resident, ...fake.headers }, payload: fake.payload });
    assert.equal(r1.statusCode, 415);
    assert.equal(r1.json().error.code, 'unsupported_media_type');
    const big = multipart({ data }, [{ name: 'big.jpg', type: 'image/jpeg', data: Buffer.alloc(11 * 1024 * 1024, 1) }]);
    const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/appeals/form', headers: { cookie: resident, ...big.headers }, payload: big.payload });
    assert.equal(r2.statusCode, 413);
    assert.equal(r2.json().error.code, 'payload_too_large');
    const badData = multipart({ data: '{"text":' }, []);
    const r3 = await t.app.inject({ method: 'POST', url: '/api/v1/appeals/form', headers: { cookie: resident, ...badData.headers }, payload: badData.payload });
    assert.equal(r3.statusCode, 400);
    assert.equal((await t.db.select().from(appeals)).length, before);
  });
});
