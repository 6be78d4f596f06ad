import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, organisation, smallCity } from '../../../../test/helpers/factories.ts';
import { systemContext } from '../../context.ts';
import { accounts, notifications } from '../../db/schema.ts';
import type { Actor } from '../../policy/index.ts';
import { recordEvent } from '../events/events.service.ts';
import { IdCursor } from './id-cursor.ts';
import { notifyAccounts } from './notifications.service.ts';
import { parseLastEventId, StreamHub } from './stream.hub.ts';
import { eventIsRelevant, type StreamEvent } from './stream.relevance.ts';

interface Message {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

/** A minimal EventSource over fetch: collects messages and comments. */
async function connect(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const messages: Message[] = [];
  let comments = 0;
  const reading = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments++;
            const m = /^(\w+): ?(.*)$/.exec(line);
            if (m) fields[m[1]!] = m[2]!;
          }
          if (fields.data !== undefined) messages.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    res,
    messages,
    comments: () => comments,
    async waitFor(test: (m: Message) => boolean, ms = 5_000): Promise<Message> {
      const until = Date.now() + ms;
      for (;;) {
        const found = messages.find(test);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no such message within ${ms} ms; got ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gridC1 = '440300.D1.D1S1.D1S1C1.D1S1C1G1';

describe('live updates (SSE)', () => {
  let t: TestContext;
  let base: string;
  const ids: Record<string, string> = {};
  const orgs: Record<string, string> = {};
  const cookies: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    orgs.c1 = (await organisation(t.db, { code: 'CWS-C1', territoryCode: 'D1S1C1', type: 'community' })).id;
    orgs.dept = (await organisation(t.db, { code: 'DEPT-D1', territoryCode: 'D1', type: 'urban_management' })).id;
    const people = [
      { username: 'c1worker', role: 'community_worker', organisationCode: 'CWS-C1' },
      { username: 'd2worker', role: 'community_worker', territoryCode: 'D2S1C1' },
      { username: 'depthandler', role: 'handler', organisationCode: 'DEPT-D1' },
      { username: 'resident1', role: 'resident', territoryCode: '440300' },
    ] as const;
    for (const p of people) {
      ids[p.username] = (await account(t.db, p)).id;
      cookies[p.username] = await login(t.app, p.username);
    }
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  it('refuses anonymous callers', async () => {
    const res = await fetch(`${base}/api/v1/stream`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthenticated');
  });

  it('delivers my notifications and the appeal steps I may follow, to nobody else', async () => {
    const c1 = await connect(`${base}/api/v1/stream`, { cookie: cookies.c1worker! });
    const d2 = await connect(`${base}/api/v1/stream`, { cookie: cookies.d2worker! });
    const dept = await connect(`${base}/api/v1/stream`, { cookie: cookies.depthandler! });
    const resident = await connect(`${base}/api/v1/stream`, { cookie: cookies.resident1! });
    try {
      assert.equal(c1.res.status, 200);
      assert.match(c1.res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const ctx = systemContext(t.clock());
      await notifyAccounts(t.db, ctx, [ids.c1worker!], { kind: 'appeal.dispatched', title: '新工单', subjectType: 'appeal', subjectId: 'A-1' });
      // A case in C1's grid, handled by a district department (named as involved).
      await recordEvent(t.db, ctx, {
        action: 'appeal.dispatched',
        subjectType: 'appeal',
        subjectId: 'A-1',
        territoryPath: gridC1,
        visibility: 'staff',
        fromState: 'submitted',
        toState: 'dispatched',
        data: { organisationIds: [orgs.dept], accountIds: [ids.resident1] },
      });
      // Audit-only and other subjects never stream.
      await recordEvent(t.db, ctx, { action: 'appeal.contact_revealed', subjectType: 'appeal', subjectId: 'A-1', territoryPath: gridC1, visibility: 'audit' });
      await recordEvent(t.db, ctx, { action: 'organisation.updated', subjectType: 'organisation', territoryPath: gridC1, visibility: 'staff' });

      const started = Date.now();
      const note = await c1.waitFor((m) => m.event === 'notification');
      assert.equal(note.data.title, '新工单');
      assert.equal(note.data.subjectId, 'A-1');
      assert.match(note.id ?? '', /^\d+-\d+$/);
      const step = await c1.waitFor((m) => m.event === 'appeal');
      assert.equal(step.data.action, 'appeal.dispatched');
      assert.equal(step.data.toState, 'dispatched');
      assert.equal(step.data.data, undefined, 'free-form data stays on the server');
      await dept.waitFor((m) => m.event === 'appeal' && m.data.subjectId === 'A-1');
      assert.ok(Date.now() - started < 4_000);

      // A public step reaches the reporter named on the event; the staff step above did not.
      await recordEvent(t.db, ctx, {
        action: 'appeal.replied',
        subjectType: 'appeal',
        subjectId: 'A-1',
        territoryPath: gridC1,
        visibility: 'public',
        data: { accountIds: [ids.resident1] },
      });
      const replied = await resident.waitFor((m) => m.event === 'appeal');
      assert.equal(replied.data.action, 'appeal.replied');
      await c1.waitFor((m) => m.data.action === 'appeal.replied');
      await sleep(1_500); // one more poll for anything late
      assert.deepEqual(d2.messages, [], 'a worker of another territory gets nothing');
      assert.deepEqual(c1.messages.map((m) => String(m.data.action ?? m.event)).sort(), ['appeal.dispatched', 'appeal.replied', 'notification']);
      assert.deepEqual(
        resident.messages.map((m) => m.data.action),
        ['appeal.replied'],
      );
      assert.equal(dept.messages.filter((m) => m.event === 'notification').length, 0);
    } finally {
      await Promise.all([c1.close(), d2.close(), dept.close(), resident.close()]);
    }
  });

  it('resumes from Last-Event-ID after a disconnect', async () => {
    const ctx = systemContext(t.clock());
    const first = await connect(`${base}/api/v1/stream`, { cookie: cookies.c1worker! });
    await notifyAccounts(t.db, ctx, [ids.c1worker!], { kind: 'test.resume', title: 'before' });
    const seen = await first.waitFor((m) => m.data.title === 'before');
    await first.close();
    await notifyAccounts(t.db, ctx, [ids.c1worker!], { kind: 'test.resume', title: 'while away' });
    await recordEvent(t.db, ctx, { action: 'appeal.signed', subjectType: 'appeal', subjectId: 'A-2', territoryPath: gridC1, visibility: 'staff' });
    // Another process (or this one) must not have moved on: keep a listener so the poller runs.
    const again = await connect(`${base}/api/v1/stream`, { cookie: cookies.c1worker!, 'last-event-id': seen.id! });
    try {
      await again.waitFor((m) => m.data.title === 'while away');
      await again.waitFor((m) => m.data.action === 'appeal.signed');
      await sleep(1_200);
      assert.equal(again.messages.filter((m) => m.data.title === 'while away').length, 1, 'delivered once');
      assert.equal(again.messages.filter((m) => m.data.title === 'before').length, 0);
    } finally {
      await again.close();
    }
  });

  it('ends open streams when the app closes', async () => {
    const extra = await createTestApp();
    try {
      await account(extra.db, { username: 'x' });
      const cookie = await login(extra.app, 'x');
      await extra.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (extra.app.server.address() as AddressInfo).port;
      const stream = await connect(`http://127.0.0.1:${port}/api/v1/stream`, { cookie });
      const closing = Date.now();
      await extra.app.close();
      assert.ok(Date.now() - closing < 3_000, 'close does not wait for the client');
      await stream.close();
    } finally {
      await extra.close();
    }
  });
});

describe('stream hub', () => {
  let t: TestContext;
  let worker: Actor;
  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    const row = await account(t.db, { username: 'hubworker', role: 'community_worker', territoryCode: 'D1S1C1' });
    worker = { accountId: row.id, displayName: 'w', via: 'session', grants: [] };
  });
  after(() => t.close());

  it('polls at the configured interval and sends heartbeats', async () => {
    const hub = new StreamHub({ db: t.db, pollIntervalMs: 30, heartbeatMs: 40 });
    const out: string[] = [];
    const sub = await hub.subscribe(worker);
    sub.open({ write: (c) => out.push(c), end: () => out.push('<end>') });
    await notifyAccounts(t.db, systemContext(t.clock()), [worker.accountId], { kind: 'k', title: 'fast' });
    const until = Date.now() + 1_000;
    while (!out.some((c) => c.includes('"fast"')) && Date.now() < until) await sleep(10);
    assert.ok(out.some((c) => c.startsWith('id: ') && c.includes('event: notification\n') && c.includes('"fast"')), out.join(''));
    await sleep(120);
    assert.ok(out.includes(': ping\n\n'));
    assert.equal(hub.size, 1);
    sub.close();
    assert.equal(hub.size, 0);
    await hub.close();
    await hub.close();
  });

  it('delivers a row whose transaction committed after a later one (PostgreSQL)', async (test) => {
    if (t.database.engine !== 'postgres') return test.skip('PGlite runs one transaction at a time');
    const hub = new StreamHub({ db: t.db, pollIntervalMs: 20 });
    const out: string[] = [];
    const sub = await hub.subscribe(worker);
    sub.open({ write: (c) => out.push(c), end: () => {} });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const hasId = new Promise<void>((r) => (inserted = r));
    const slow = t.db.transaction(async (tx) => {
      await tx.insert(notifications).values({ accountId: worker.accountId, kind: 'k', title: 'slow' });
      inserted();
      await gate;
    });
    await hasId;
    await t.db.insert(notifications).values({ accountId: worker.accountId, kind: 'k', title: 'quick' });
    const wait = async (title: string) => {
      const until = Date.now() + 2_000;
      while (!out.some((c) => c.includes(`"${title}"`))) {
        if (Date.now() > until) throw new Error(`${title} not delivered: ${out.join('')}`);
        await sleep(10);
      }
    };
    await wait('quick');
    release();
    await slow;
    await wait('slow');
    sub.close();
    await hub.close();
  });

  it('keeps ids it skipped and gives up on them after a while', () => {
    const cursor = new IdCursor(10, 1_000);
    assert.deepEqual(cursor.accept([11, 14], 0), [11, 14]);
    assert.deepEqual(cursor.pendingGaps().sort(), [12, 13]);
    assert.deepEqual(cursor.accept([13, 14, 15], 500), [13, 15]);
    assert.deepEqual(cursor.pendingGaps(), [12]);
    cursor.accept([], 2_000);
    assert.deepEqual(cursor.pendingGaps(), []);
    assert.equal(cursor.position, 15);
    cursor.reset(100, [97, 100], 0, 5);
    assert.deepEqual(cursor.pendingGaps().sort(), [96, 98, 99]);
    assert.equal(cursor.position, 100);
  });

  it('parses resume positions strictly', () => {
    assert.deepEqual(parseLastEventId('12-34'), { events: 12, notifications: 34 });
    assert.equal(parseLastEventId('12'), null);
    assert.equal(parseLastEventId('x-1'), null);
    assert.equal(parseLastEventId(undefined), null);
  });

  it('decides relevance from grants, units and named accounts', async () => {
    const [row] = await t.db.select().from(accounts).where(eq(accounts.username, 'hubworker'));
    const grant = (role: Actor['grants'][number]['role'], scopePath: string, organisationId: string | null = null) => ({
      id: 'g',
      role,
      territoryId: 't',
      scopePath,
      organisationId,
    });
    const viewer = (grants: Actor['grants']): Actor => ({ accountId: row!.id, displayName: 'v', via: 'session', grants });
    const event = (over: Partial<StreamEvent> = {}): StreamEvent => ({
      id: 1,
      at: new Date(),
      action: 'appeal.signed',
      subjectType: 'appeal',
      subjectId: 'A',
      territoryPath: gridC1,
      actorRole: null,
      actorOrganisationId: null,
      visibility: 'staff',
      fromState: null,
      toState: null,
      note: null,
      data: null,
      ...over,
    });
    assert.equal(eventIsRelevant(viewer([grant('leader', '440300.D1')]), event()), true);
    assert.equal(eventIsRelevant(viewer([grant('leader', '440300.D2')]), event()), false);
    assert.equal(eventIsRelevant(viewer([grant('leader', '440300.D1')]), event({ visibility: 'audit' })), false);
    assert.equal(eventIsRelevant(viewer([grant('leader', '440300.D1')]), event({ subjectType: 'organisation' })), false);
    // Handlers have no territory-wide read: only their unit's cases.
    assert.equal(eventIsRelevant(viewer([grant('handler', '440300.D2', 'U2')]), event()), false);
    assert.equal(eventIsRelevant(viewer([grant('handler', '440300.D2', 'U2')]), event({ data: { organisationIds: ['U2'] } })), true);
    assert.equal(eventIsRelevant(viewer([grant('handler', '440300.D2', 'U2')]), event({ actorOrganisationId: 'U2' })), true);
    assert.equal(eventIsRelevant(viewer([grant('party_member', '440300.D2', 'U2')]), event({ data: { organisationIds: ['U2'] } })), false);
    // The reporter: public steps only.
    assert.equal(eventIsRelevant(viewer([]), event({ visibility: 'public', data: { accountIds: [row!.id] } })), true);
    assert.equal(eventIsRelevant(viewer([]), event({ visibility: 'staff', data: { accountIds: [row!.id] } })), false);
  });
});
