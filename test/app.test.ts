import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestContext } from './helpers/app.ts';

describe('HTTP basics', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('answers /healthz and /readyz (which asks the database)', async () => {
    assert.equal((await t.app.inject('/healthz')).statusCode, 200);
    const ready = await t.app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().database, t.database.engine);
  });

  it('serves the OpenAPI document with the routes and their schemas', async () => {
    const res = await t.app.inject('/api/docs/json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi.startsWith('3.'), true);
    for (const p of ['/api/v1/auth/login', '/api/v1/organisations/', '/api/v1/accounts/{id}/grants', '/api/v1/territories/locate']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.equal((await t.app.inject('/api/docs')).statusCode < 400, true);
  });

  it('gives every response a request id, echoing a sane given one', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.headers['x-request-id'], 'abc-123');
    const other = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(other.headers['x-request-id'], 'bad id with spaces');
  });

  it('answers unknown routes, bad JSON and wrong content types in the one error shape', async () => {
    const missing = await t.app.inject('/api/v1/nothing-here');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'not_found');
    const badJson = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"identifier":' });
    assert.equal(badJson.statusCode, 400);
    assert.equal(typeof badJson.json().error.code, 'string');
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    assert.equal(wrongType.statusCode, 415);
    assert.equal(wrongType.json().error.code, 'unsupported_media_type');
    const extra = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'x', password: 'y', admin: true } });
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().error.code, 'validation_failed');
  });
});
