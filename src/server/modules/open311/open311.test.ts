import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { systemContext } from '../../context.ts';
import { appeals } from '../../db/schema.ts';
import { insertDemoIntegration, demoIntegrationKey } from '../../seed/integration.ts';
import { createApiToken } from '../auth/auth.service.ts';
import { specXmlExamples } from './test-fixtures/spec-examples.ts';
import { assertSchema, jsonToPlain, namespaceUses, parseXml, skeleton, xmlToPlain, type XmlElement } from './test-support.ts';

const base = '/open311/v2';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** Parses an XML response strictly and checks the spec's framing: declaration, UTF-8, no namespace. */
function readXml(res: { headers: Record<string, unknown>; body: string }): XmlElement {
  assert.equal(res.headers['content-type'], 'text/xml; charset=utf-8');
  assert.ok(res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), 'XML declaration with encoding first');
  const doc = parseXml(res.body);
  assert.equal(doc.declaration.encoding?.toUpperCase(), 'UTF-8');
  assert.deepEqual(namespaceUses(doc.root), [], 'no namespace');
  return doc.root;
}

function readJson(res: { headers: Record<string, unknown>; body: string }): unknown {
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  return JSON.parse(res.body);
}

/** The element names of an example's first item, e.g. every field of <request>. */
function itemFields(xml: string): string[] {
  const root = parseXml(xml).root;
  const first = root.children.find((c): c is XmlElement => typeof c !== 'string')!;
  return first.children.filter((c): c is XmlElement => typeof c !== 'string').map((c) => c.name);
}

const w3c = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

describe('open311 GeoReport v2', () => {
  let t: TestContext;
  let req: AppealTestApp['req'];
  let fx: AppealTestApp['fx'];
  let residentKey: string;
  let limitedKey: string;

  before(async () => {
    ({ t, fx, req } = await appealTestApp());
    assert.equal(await insertDemoIntegration(t.db), 2, 'account and key');
    assert.equal(await insertDemoIntegration(t.db), 0, 'idempotent');
    const ctx = systemContext(t.clock());
    residentKey = (await createApiToken(t.db, ctx, { accountId: fx.accounts.resident.id, name: 'resident app', rateLimitPerMinute: null })).token;
    limitedKey = (await createApiToken(t.db, ctx, { accountId: fx.accounts.operator.id, name: 'limited', rateLimitPerMinute: 3 })).token;
  });
  after(() => t.close());

  const get = (path: string) => t.app.inject({ method: 'GET', url: `${base}${path}` });
  const post = (path: string, fields: Record<string, string>) => t.app.inject({ method: 'POST', url: `${base}${path}`, headers: formHeaders, payload: form(fields) });
  const report = (extra: Record<string, string> = {}, format = 'json') =>
    post(`/requests.${format}`, {
      api_key: demoIntegrationKey,
      service_code: 'garbage_collection',
      lat: String(pins.c1.lat),
      long: String(pins.c1.lon),
      description: '幸福路12号门口垃圾三天没人清运，味道很大',
      ...extra,
    });

  /** JSON and XML of the same resource carry the same data. */
  async function bothFormats(pathWithoutFormat: string, query = '') {
    const json = await get(`${pathWithoutFormat}.json${query}`);
    const xml = await get(`${pathWithoutFormat}.xml${query}`);
    assert.equal(json.statusCode, 200, json.body);
    assert.equal(xml.statusCode, 200, xml.body);
    const body = readJson(json);
    const root = readXml(xml);
    assert.deepEqual(xmlToPlain(root), jsonToPlain(body), 'XML and JSON agree');
    return { body, root };
  }

  /** An error in both formats: the status and the spec's error body. */
  async function assertError(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, format: 'json' | 'xml' = 'json') {
    assert.equal(res.statusCode, status, res.body);
    if (format === 'json') {
      const body = readJson(res) as { code: number; description: string }[];
      assert.equal(body.length, 1);
      assert.equal(body[0]!.code, status);
      assert.ok(body[0]!.description.length > 0);
      return body[0]!.description;
    }
    const root = readXml(res);
    assert.deepEqual(skeleton(root), skeleton(parseXml(specXmlExamples.errors).root), 'the spec’s <errors><error><code/><description/>');
    const [error] = xmlToPlain(root) as { code: string; description: string }[];
    assert.equal(error!.code, String(status));
    return error!.description;
  }

  describe('the strict XML reader', () => {
    it('reads every example of the spec', () => {
      for (const [name, xml] of Object.entries(specXmlExamples)) assert.doesNotThrow(() => parseXml(xml), name);
    });
    it('rejects what is not well-formed', () => {
      const bad = [
        '<a>1</a>',
        '<?xml version="1.0"?><a><b></a></b>',
        '<?xml version="1.0"?><a>x & y</a>',
        '<?xml version="1.0"?><a>&nbsp;</a>',
        '<?xml version="1.0"?><a>\u0001</a>',
        '<?xml version="1.0"?><a/><b/>',
        '<?xml version="1.0"?><a x="1" x="2"/>',
        '<?xml version="1.0"?><a>]]></a>',
        '<?xml version="1.0"?><1a/>',
      ];
      for (const xml of bad) assert.throws(() => parseXml(xml), /not well-formed/, xml);
      assert.deepEqual(namespaceUses(parseXml('<?xml version="1.0"?><a xmlns="http://x"/>').root), ['xmlns']);
    });
  });

  describe('discovery and services', () => {
    it('discovery in both formats, pointing at this endpoint', async () => {
      const { body, root } = await bothFormats('/discovery');
      const d = body as { changeset: string; contact: string; key_service: string; endpoints: { specification: string; url: string; type: string; formats: string[] }[] };
      assert.ok(d.changeset && d.contact && d.key_service);
      assert.equal(d.endpoints[0]!.specification, 'http://wiki.open311.org/GeoReport_v2');
      assert.match(d.endpoints[0]!.url, /^http:\/\/[^/]+\/open311\/v2$/);
      assert.deepEqual(d.endpoints[0]!.formats, ['text/xml', 'application/json']);
      assert.equal(d.endpoints[0]!.type, 'test');
      const example = new Set(skeleton(parseXml(specXmlExamples.discovery).root));
      for (const path of skeleton(root)) assert.ok(example.has(path), `${path} as in the spec`);
    });

    it('lists the leaf categories, grouped by top-level category', async () => {
      const { body, root } = await bothFormats('/services');
      assertSchema('services', body);
      const services = body as { service_code: string; service_name: string; group: string; metadata: boolean; type: string }[];
      const garbage = services.find((s) => s.service_code === 'garbage_collection')!;
      assert.equal(garbage.service_name, '垃圾清运不及时');
      assert.equal(garbage.group, '市容环卫');
      assert.equal(garbage.metadata, true);
      assert.equal(garbage.type, 'realtime');
      assert.ok(!services.some((s) => s.service_code === 'env_sanitation'), 'no top-level category');
      assert.ok(services.length >= 40);
      assert.deepEqual(new Set(itemFields(specXmlExamples.services)), new Set(Object.keys(garbage)), 'the spec’s fields');
      assert.equal(root.name, 'services');
    });

    it('defines each service; unknown codes and formats are 404', async () => {
      const { body, root } = await bothFormats('/services/garbage_collection');
      assertSchema('serviceDefinition', body);
      const def = body as { service_code: string; attributes: { code: string; values?: { key: string }[] }[] };
      assert.equal(def.service_code, 'garbage_collection');
      assert.deepEqual(def.attributes.map((a) => a.code), ['urgency', 'hide_identity', 'location_detail']);
      const example = new Set(skeleton(parseXml(specXmlExamples.serviceDefinition).root));
      for (const path of skeleton(root)) assert.ok(example.has(path), `${path} as in the spec`);
      await assertError(await get('/services/no_such_service.json'), 404);
      await assertError(await get('/services/env_sanitation.xml'), 404, 'xml');
      await assertError(await get('/services/garbage_collection.csv'), 404);
      await assertError(await get('/nothing-here.xml'), 404, 'xml');
    });
  });

  describe('POST requests', () => {
    it('enters the intake pipeline and shows in the workbench with its route', async () => {
      const res = await report({
        first_name: '小明',
        last_name: '张',
        phone: '+86 138-0013-8000',
        email: 'someone@example.org',
        media_url: 'https://img.example.org/report/1.jpg',
        'attribute[urgency]': 'normal',
        'attribute[location_detail]': '3栋东门',
        jurisdiction_id: 'gongzhi.example',
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = readJson(res);
      assertSchema('postResponse', body);
      const [created] = body as { service_request_id: string; service_notice: string; account_id: null }[];
      assert.match(created!.service_request_id, /^\d{12}$/);
      assert.equal(created!.account_id, null);
      assert.match(created!.service_notice, /一街道综合行政执法队/);
      assert.deepEqual(new Set(Object.keys(created!)), new Set(itemFields(specXmlExamples.postResponse)), 'the spec’s fields');

      // The dispatcher's workbench lists it, routed to the street's enforcement team.
      const list = await req('dispatcher', 'GET', '/api/v1/appeals?channel=open311');
      assert.equal(list.statusCode, 200, list.body);
      const item = list.json().items.find((a: { code: string }) => a.code === created!.service_request_id);
      assert.ok(item, 'in the workbench list');
      assert.equal(item.leadOrgId, fx.orgs.enf.id);
      assert.equal(item.status, 'dispatched');
      assert.equal(item.categoryCode, 'garbage_collection');
      const staff = (await req('dispatcher', 'GET', `/api/v1/appeals/${item.id}`)).json();
      assert.match(staff.routeRule, /^default:garbage_collection/);
      assert.ok(staff.routeReason.length > 0);
      assert.equal(staff.channel, 'open311');
      assert.equal(staff.contact.contactName, '张**');
      assert.equal(staff.contact.contactPhone, '138****8000');
      assert.equal(staff.address, '3栋东门');
      assert.deepEqual(staff.suggestions, { open311: { mediaUrl: 'https://img.example.org/report/1.jpg' } });
      assert.deepEqual(staff.timeline.map((e: { action: string }) => e.action).slice(0, 2), ['appeal.submitted', 'appeal.dispatched']);
      const [row] = await t.db.select().from(appeals).where(eq(appeals.code, created!.service_request_id));
      assert.equal(row!.contactPhone, '13800138000');
      assert.equal(row!.lat, pins.c1.lat);
      // Read back through Open311: the client's media URL, no contact details.
      const [shown] = (await get(`/requests/${created!.service_request_id}.json`)).json();
      assert.equal(shown.media_url, 'https://img.example.org/report/1.jpg');
      assert.ok(!JSON.stringify(shown).includes('13800138000') && !JSON.stringify(shown).includes('张'));
    });

    it('answers in XML, places an address and takes the attributes', async () => {
      const res = await post('/requests.xml', {
        api_key: demoIntegrationKey,
        service_code: 'streetlight',
        address_string: '西社区 幸福路路口',
        description: '路灯不亮已经一周',
        'attribute[urgency]': 'urgent',
        'attribute[hide_identity]': 'true',
      });
      assert.equal(res.statusCode, 200, res.body);
      const root = readXml(res);
      assert.deepEqual(skeleton(root), skeleton(parseXml(specXmlExamples.postResponse).root));
      const [created] = xmlToPlain(root) as { service_request_id: string; account_id: string }[];
      assert.equal(created!.account_id, '');
      const [row] = await t.db.select().from(appeals).where(eq(appeals.code, created!.service_request_id));
      assert.equal(row!.territoryPath, '440300.D1.D1S1.D1S1C1');
      assert.equal(row!.urgency, 'urgent');
      assert.equal(row!.hideIdentity, true);
      assert.equal(row!.channel, 'open311');
      assert.equal(row!.leadOrgId, null, 'no streetlight unit in the fixture: the dispatch queue');
    });

    it('accepts a JSON body of the same fields and an Authorization header', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `${base}/requests.json`,
        headers: { authorization: `Bearer ${demoIntegrationKey}` },
        payload: { service_code: 'garbage_collection', lat: pins.c2.lat, long: pins.c2.lon, description: '东社区垃圾桶满了', attribute: { urgency: 'normal' } },
      });
      assert.equal(res.statusCode, 200, res.body);
      assertSchema('postResponse', res.json());
    });

    it('refuses with the spec’s errors: 403 for the key, 404 for the service, 400 for the rest', async () => {
      const valid = { service_code: 'garbage_collection', lat: String(pins.c1.lat), long: String(pins.c1.lon), description: '垃圾没人清运' };
      await assertError(await post('/requests.json', valid), 403);
      const noKey = await assertError(await post('/requests.xml', valid), 403, 'xml');
      assert.match(noKey, /api_key/);
      await assertError(await post('/requests.json', { ...valid, api_key: 'gzt_not_a_key' }), 403);
      await assertError(await post('/requests.xml', { ...valid, api_key: residentKey }), 403, 'xml');
      assert.match(await assertError(await report({ service_code: '' }), 400), /service_code/);
      await assertError(await report({ service_code: 'no_such_service' }), 404);
      await assertError(await report({ service_code: 'municipal' }), 404);
      await assertError(await report({ lat: '', long: '' }), 400);
      await assertError(await report({ long: '' }), 400);
      assert.match(await assertError(await report({ lat: '', long: '', address_id: '545483' }), 400), /address_id/);
      await assertError(await report({ lat: 'north', long: '114' }), 400);
      await assertError(await report({ lat: String(pins.outside.lat), long: String(pins.outside.lon) }), 400);
      await assertError(await report({ lat: '', long: '', address_string: '火星基地' }), 400);
      await assertError(await report({ media_url: 'javascript:alert(1)' }), 400);
      await assertError(await report({ phone: '12345' }), 400);
      await assertError(await report({ 'attribute[urgency]': 'extreme' }), 400);
      await assertError(await report({ description: '长'.repeat(4001) }), 400, 'json');
      await assertError(await report({ first_name: '名'.repeat(41) }), 400);
      const count = (await t.db.select().from(appeals).where(eq(appeals.text, '垃圾没人清运'))).length;
      assert.equal(count, 0, 'nothing was created');
    });
  });

  describe('GET requests', () => {
    let code: string;
    let id: string;
    before(async () => {
      const res = await report({ phone: '13800138000', description: '幸福路12号门口垃圾没人清运，联系我13912345678' });
      code = res.json()[0].service_request_id;
      id = (await t.db.select().from(appeals).where(eq(appeals.code, code)))[0]!.id;
    });

    it('one request: an array of one, public fields only', async () => {
      const { body, root } = await bothFormats(`/requests/${code}`);
      assertSchema('requests', body);
      const [r] = body as Record<string, unknown>[];
      assert.equal(r!.service_request_id, code);
      assert.equal(r!.status, 'open');
      assert.equal(r!.status_notes, '待签收 dispatched');
      assert.equal(r!.service_code, 'garbage_collection');
      assert.equal(r!.service_name, '垃圾清运不及时');
      assert.equal(r!.agency_responsible, '一街道综合行政执法队');
      assert.equal(r!.address, '西社区, 一街道, 一区, 深圳市', 'the community, never the reporter’s address');
      assert.equal(r!.address_id, 'D1S1C1');
      assert.equal(r!.lat, 22.6);
      assert.equal(r!.long, 113.95);
      assert.equal(r!.description, '幸福路12号门口垃圾没人清运，联系我139****5678', 'phone numbers masked');
      assert.match(String(r!.requested_datetime), w3c);
      assert.match(String(r!.expected_datetime), /\+08:00$/);
      const [row] = await t.db.select().from(appeals).where(eq(appeals.id, id));
      assert.equal(new Date(String(r!.expected_datetime)).getTime(), row!.resolveDueAt!.getTime());
      assert.ok(!JSON.stringify(r).includes('13800138000'));
      assert.deepEqual(new Set(Object.keys(r!)), new Set(itemFields(specXmlExamples.request)), 'exactly the spec’s fields');
      assert.deepEqual(skeleton(root), skeleton(parseXml(specXmlExamples.request).root), 'the spec’s XML shape');
    });

    it('follows the case: status notes, extensions with the public timeline, closed when merged', async () => {
      assert.equal((await req('handler', 'POST', `/api/v1/appeals/${id}/sign`)).statusCode, 200);
      let [r] = (await get(`/requests/${code}.json`)).json();
      assert.equal(r.status_notes, '已签收 signed');
      const { body } = await bothFormats(`/requests/${code}`, '?extensions=true');
      assertSchema('requests', body);
      [r] = body as { notes: { type: string; datetime: string; description: string }[] }[];
      assert.deepEqual(r.notes.map((n: { type: string }) => n.type), ['submitted', 'dispatched', 'signed']);
      assert.match(r.notes[0].datetime, w3c);
      assert.equal(r.notes[2].description, '已签收 signed');

      const dup = (await report({ description: '幸福路门口垃圾堆了好几天' })).json()[0].service_request_id;
      const dupId = (await t.db.select().from(appeals).where(eq(appeals.code, dup)))[0]!.id;
      const merged = await req('dispatcher', 'POST', `/api/v1/appeals/${dupId}/merge`, { parentId: id });
      assert.equal(merged.statusCode, 200, merged.body);
      [r] = (await get(`/requests/${dup}.json`)).json();
      assert.equal(r.status, 'closed');
      assert.equal(r.status_notes, `已并案 merged: duplicate of ${code}`);
      assert.match(r.service_notice, new RegExp(code));
    });

    it('unknown ids are 404 in both formats', async () => {
      await assertError(await get('/requests/123456789012.json'), 404);
      await assertError(await get('/requests/not-a-code.xml'), 404, 'xml');
      await assertError(await get(`/requests/${code}.yaml`), 404);
    });

    it('lists by period, service, status and ids; pages; at most 90 days', async () => {
      // A case from 100 days ago lies outside the default window.
      const now = t.clock();
      t.clock.set(new Date(now.getTime() - 100 * 86_400_000));
      const old = (await report({ description: '很久以前的垃圾问题' })).json()[0].service_request_id;
      t.clock.set(now);

      // A case nobody has classified yet is the service `unclassified`; text XML cannot carry is dropped in both formats.
      const bare = await req('resident', 'POST', '/api/v1/appeals', { text: '门口有东西\u0001不知道归谁管', location: pins.c2 });
      assert.equal(bare.statusCode, 201, bare.body);
      const unclassified = (await get('/requests.json?service_code=unclassified')).json();
      assert.deepEqual(unclassified.map((r: { service_request_id: string; service_code: string; description: string }) => [r.service_request_id, r.service_code, r.description]), [
        [bare.json().code, 'unclassified', '门口有东西不知道归谁管'],
      ]);
      await bothFormats(`/requests/${bare.json().code}`);

      const { body } = await bothFormats('/requests');
      assertSchema('requests', body);
      const codes = (body as { service_request_id: string }[]).map((r) => r.service_request_id);
      assert.ok(codes.includes(code));
      assert.ok(!codes.includes(old), 'older than 90 days');
      const times = (body as { requested_datetime: string }[]).map((r) => new Date(r.requested_datetime).getTime());
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');

      const streetlights = (await get('/requests.json?service_code=streetlight')).json();
      assert.ok(streetlights.length >= 1 && streetlights.every((r: { service_code: string }) => r.service_code === 'streetlight'));
      const closed = (await get('/requests.json?status=closed')).json();
      assert.ok(closed.length >= 1 && closed.every((r: { status: string }) => r.status === 'closed'));
      const open = (await get('/requests.json?status=open')).json();
      assert.ok(open.length >= 1 && open.every((r: { status: string }) => r.status === 'open'));
      assert.equal((await get('/requests.json?status=open,closed')).json().length, codes.length);

      const byId = (await get(`/requests.json?service_request_id=${code},${old},123456789012&status=closed&start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z`)).json();
      assert.deepEqual(new Set(byId.map((r: { service_request_id: string }) => r.service_request_id)), new Set([code, old]), 'ids override every other argument');

      const start = new Date(now.getTime() - 101 * 86_400_000).toISOString();
      const end = new Date(now.getTime() - 99 * 86_400_000).toISOString();
      const window = (await get(`/requests.json?start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`)).json();
      assert.deepEqual(window.map((r: { service_request_id: string }) => r.service_request_id), [old]);

      const page1 = (await get('/requests.json?page_size=2&page=1')).json();
      const page2 = (await get('/requests.json?page_size=2&page=2')).json();
      assert.equal(page1.length, 2);
      assert.deepEqual([...page1, ...page2].map((r: { service_request_id: string }) => r.service_request_id), codes.slice(0, 2 + page2.length));

      await assertError(await get('/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z'), 400);
      await assertError(await get('/requests.xml?start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z'), 400, 'xml');
      await assertError(await get('/requests.json?start_date=yesterday'), 400);
      await assertError(await get('/requests.json?status=pending'), 400);
      await assertError(await get('/requests.json?page_size=5000'), 400);
      await assertError(await get('/requests.xml?page=zero'), 400, 'xml');
    });

    it('tokens: the tracking code is its own token', async () => {
      const { body, root } = await bothFormats(`/tokens/${code}`);
      assertSchema('tokenResponse', body);
      assert.deepEqual(body, [{ service_request_id: code, token: code }]);
      assert.deepEqual(skeleton(root), skeleton(parseXml(specXmlExamples.token).root));
      await assertError(await get('/tokens/123456789012.json'), 404);
    });

    it('service request updates (mySociety): public timeline events of a period', async () => {
      const start = encodeURIComponent(new Date(t.clock().getTime() - 86_400_000).toISOString());
      const { body, root } = await bothFormats('/servicerequestupdates', `?start_date=${start}`);
      assert.equal(root.name, 'service_request_updates');
      const updates = body as Record<string, string | null>[];
      const mine = updates.filter((u) => u.service_request_id === code);
      assert.deepEqual(mine.map((u) => u.description), ['已受理 submitted', `已派单 dispatched: ${mine[1]!.description!.slice('已派单 dispatched: '.length)}`, '已签收 signed']);
      for (const u of updates) {
        assert.deepEqual(Object.keys(u).sort(), ['description', 'media_url', 'service_request_id', 'status', 'update_id', 'updated_datetime']);
        assert.match(String(u.updated_datetime), w3c);
        assert.ok(['open', 'closed'].includes(String(u.status)));
        assert.equal(typeof u.update_id, 'string');
      }
      assert.ok(!updates.some((u) => String(u.description).includes('queued')), 'staff events stay out');
      assert.ok(updates.some((u) => u.status === 'closed'), 'the merged duplicate');
      await assertError(await get('/servicerequestupdates.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z'), 400);
    });
  });

  describe('api_key and rate limits', () => {
    it('counts api_key and Bearer requests against the token’s own limit', async () => {
      const viaKey = () => get(`/services.json?api_key=${limitedKey}`);
      assert.equal((await viaKey()).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: `${base}/services.json`, headers: { authorization: `Bearer ${limitedKey}` } })).statusCode, 200);
      assert.equal((await viaKey()).statusCode, 200);
      await assertError(await viaKey(), 429);
      await assertError(await get(`/services.xml?api_key=${limitedKey}`), 429, 'xml');
    });

    it('the demo key has no limit', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await get(`/services.json?api_key=${demoIntegrationKey}`)).statusCode, 200);
      const res = await get(`/services.json?api_key=${demoIntegrationKey}`);
      assert.equal(res.headers['x-ratelimit-limit'], undefined, 'not counted');
    });

    it('a wrong api_key is refused even where none is needed', async () => {
      await assertError(await get('/services.json?api_key=nope'), 403);
      await assertError(await t.app.inject({ method: 'GET', url: `${base}/services.xml`, headers: { authorization: 'Bearer nope' } }), 403, 'xml');
    });
  });
});
