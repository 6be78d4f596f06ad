// Live updates for the SSE clients of this process. Processes share nothing but the database, so
// ONE poller per process (not per connection) reads what is new in `events` and `notifications`
// about once a second and hands each row to the connected clients it is relevant to
// (stream.relevance.ts). It polls only while someone is connected.
import { and, asc, desc, eq, gt, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { events, notifications } from '../../db/schema.ts';
import type { Actor } from '../../policy/index.ts';
import { IdCursor } from './id-cursor.ts';
import { presentNotification, type NotificationRow } from './notifications.service.ts';
import {
  eventIsRelevant,
  isStreamedEvent,
  notificationIsRelevant,
  presentStreamEvent,
  streamedSubjects,
  streamedVisibilities,
  type StreamEvent,
} from './stream.relevance.ts';

/** Where a client writes: the HTTP response in production, an array in unit tests. */
export interface Sink {
  write(chunk: string): void;
  end(): void;
}

export interface Subscription {
  /** Starts delivery: first what Last-Event-ID missed, then what arrived meanwhile, then live. */
  open(sink: Sink): void;
  close(): void;
}

export interface HubLogger {
  warn(obj: object, msg?: string): void;
}

export interface StreamHubOptions {
  db: Executor;
  pollIntervalMs?: number | undefined;
  heartbeatMs?: number | undefined;
  /** Rows read per table and poll; the rest follow on the next poll. */
  batchSize?: number | undefined;
  log?: HubLogger | undefined;
}

interface Queued {
  key: string;
  message: string;
}

interface Client {
  actor: Actor;
  sink: Sink | null;
  /** Messages held until the client opens (null once open). */
  pending: Queued[] | null;
  closed: boolean;
}

/** One SSE message. JSON never contains a raw newline, so `data` is a single line. */
export function sseMessage(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface StreamPosition {
  events: number;
  notifications: number;
}

/** Message ids are `<last event id>-<last notification id>`: where to resume both feeds. */
export function formatPosition(p: StreamPosition): string {
  return `${p.events}-${p.notifications}`;
}

export function parseLastEventId(value: string | undefined): StreamPosition | null {
  const match = value ? /^(\d{1,15})-(\d{1,15})$/.exec(value.trim()) : null;
  return match ? { events: Number(match[1]), notifications: Number(match[2]) } : null;
}

const maxPending = 1_000;
const backfillLimit = { notifications: 200, events: 1_000 };
const gapLookback = 100;

const inList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

const eventColumns = {
  id: events.id,
  at: events.at,
  action: events.action,
  subjectType: events.subjectType,
  subjectId: events.subjectId,
  territoryPath: events.territoryPath,
  actorRole: events.actorRole,
  actorOrganisationId: events.actorOrganisationId,
  visibility: events.visibility,
  fromState: events.fromState,
  toState: events.toState,
  note: events.note,
  // Only streamed events need their data (for the relevance rules); audit rows stay in the table.
  data: sql<Record<string, unknown> | null>`case when ${events.subjectType} in (${inList(streamedSubjects)}) and ${events.visibility} in (${inList(streamedVisibilities)}) then ${events.data} end`,
};

const streamedEventsOnly: SQL = and(inArray(events.subjectType, [...streamedSubjects]), inArray(events.visibility, [...streamedVisibilities]))!;

export class StreamHub {
  private readonly db: Executor;
  private readonly pollIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly batchSize: number;
  private readonly log: HubLogger | undefined;
  private readonly clients = new Set<Client>();
  private readonly byAccount = new Map<string, Set<Client>>();
  private readonly eventCursor = new IdCursor();
  private readonly notificationCursor = new IdCursor();
  private started: Promise<void> | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(options: StreamHubOptions) {
    this.db = options.db;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.batchSize = options.batchSize ?? 500;
    this.log = options.log;
  }

  /** Connected clients (for tests and metrics). */
  get size(): number {
    return this.clients.size;
  }

  async subscribe(actor: Actor, lastEventId?: string): Promise<Subscription> {
    if (this.closed) throw new Error('the stream is closed');
    const client: Client = { actor, sink: null, pending: [], closed: false };
    this.add(client);
    let backfill: Queued[] = [];
    try {
      await this.ensureStarted();
      const from = parseLastEventId(lastEventId);
      if (from) backfill = await this.backfill(actor, from, this.position());
    } catch (err) {
      this.remove(client);
      throw err;
    }
    return {
      open: (sink) => {
        if (client.closed) return sink.end();
        const sent = new Set(backfill.map((m) => m.key));
        for (const m of backfill) sink.write(m.message);
        for (const m of client.pending ?? []) if (!sent.has(m.key)) sink.write(m.message);
        client.pending = null;
        client.sink = sink;
      },
      close: () => this.remove(client),
    };
  }

  /** Ends every stream and stops polling; waits for a poll in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.pollTimer = this.heartbeatTimer = null;
    for (const client of [...this.clients]) {
      this.remove(client);
      client.sink?.end();
    }
    await this.polling;
  }

  private position(): StreamPosition {
    return { events: this.eventCursor.position, notifications: this.notificationCursor.position };
  }

  private add(client: Client): void {
    this.clients.add(client);
    const mine = this.byAccount.get(client.actor.accountId) ?? new Set<Client>();
    mine.add(client);
    this.byAccount.set(client.actor.accountId, mine);
    this.startTimers();
  }

  private remove(client: Client): void {
    client.closed = true;
    this.clients.delete(client);
    const mine = this.byAccount.get(client.actor.accountId);
    mine?.delete(client);
    if (mine?.size === 0) this.byAccount.delete(client.actor.accountId);
  }

  private startTimers(): void {
    if (this.closed) return;
    if (!this.pollTimer) this.schedulePoll();
    // One heartbeat for all clients: a comment line keeps proxies from closing idle streams.
    this.heartbeatTimer ??= setInterval(() => {
      for (const c of this.clients) if (c.sink && !c.closed) c.sink.write(': ping\n\n');
    }, this.heartbeatMs).unref();
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      this.polling = this.poll()
        .catch((err: unknown) => this.log?.warn({ err }, 'stream poll failed'))
        .finally(() => {
          this.polling = null;
          if (!this.closed) this.schedulePoll();
        });
    }, this.pollIntervalMs).unref();
  }

  /** Positions the cursors at the newest rows when the first client arrives. */
  private ensureStarted(): Promise<void> {
    this.started ??= (async () => {
      const now = Date.now();
      const recent = async (table: typeof events | typeof notifications) => {
        const rows = await this.db
          .select({ id: table.id })
          .from(table)
          .where(gt(table.id, sql`(select coalesce(max(${table.id}), 0) - ${gapLookback} from ${table})`))
          .orderBy(asc(table.id));
        return rows.map((r) => r.id);
      };
      const eventIds = await recent(events);
      const notificationIds = await recent(notifications);
      this.eventCursor.reset(eventIds.at(-1) ?? 0, eventIds, now, gapLookback);
      this.notificationCursor.reset(notificationIds.at(-1) ?? 0, notificationIds, now, gapLookback);
    })().catch((err: unknown) => {
      this.started = null;
      throw err;
    });
    return this.started;
  }

  private async poll(): Promise<void> {
    if (this.clients.size === 0) {
      // Nobody listens: stop reading, and start from the newest rows when someone connects.
      this.started = null;
      return;
    }
    await this.ensureStarted();
    const now = Date.now();
    const eventGaps = this.eventCursor.pendingGaps();
    const eventRows = await this.db
      .select(eventColumns)
      .from(events)
      .where(or(gt(events.id, this.eventCursor.position), eventGaps.length ? inArray(events.id, eventGaps) : undefined))
      .orderBy(asc(events.id))
      .limit(this.batchSize);
    const notificationGaps = this.notificationCursor.pendingGaps();
    const notificationRows = await this.db
      .select()
      .from(notifications)
      .where(or(gt(notifications.id, this.notificationCursor.position), notificationGaps.length ? inArray(notifications.id, notificationGaps) : undefined))
      .orderBy(asc(notifications.id))
      .limit(this.batchSize);
    // Cursors move and messages go out in one synchronous step, so a subscriber never sees half.
    const freshEvents = new Set(this.eventCursor.accept(eventRows.map((r) => r.id), now));
    const freshNotifications = new Set(this.notificationCursor.accept(notificationRows.map((r) => r.id), now));
    const id = formatPosition(this.position());
    for (const e of eventRows) if (freshEvents.has(e.id) && isStreamedEvent(e)) this.deliverEvent(e, id);
    for (const n of notificationRows) if (freshNotifications.has(n.id)) this.deliverNotification(n, id);
  }

  private deliverEvent(e: StreamEvent, id: string): void {
    const message = sseMessage(e.subjectType, presentStreamEvent(e), id);
    for (const client of this.clients) if (eventIsRelevant(client.actor, e)) this.deliver(client, `e${e.id}`, message);
  }

  private deliverNotification(n: NotificationRow, id: string): void {
    const message = sseMessage('notification', presentNotification(n), id);
    for (const client of this.byAccount.get(n.accountId) ?? []) {
      if (notificationIsRelevant(client.actor, n)) this.deliver(client, `n${n.id}`, message);
    }
  }

  private deliver(client: Client, key: string, message: string): void {
    if (client.closed) return;
    if (client.sink) client.sink.write(message);
    else if (client.pending && client.pending.length < maxPending) client.pending.push({ key, message });
  }

  /** What a reconnecting client missed between its Last-Event-ID and `upTo` (bounded, oldest first). */
  private async backfill(actor: Actor, from: StreamPosition, upTo: StreamPosition): Promise<Queued[]> {
    const id = formatPosition(upTo);
    const missedNotifications = await this.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.accountId, actor.accountId), gt(notifications.id, from.notifications), lte(notifications.id, upTo.notifications)))
      .orderBy(desc(notifications.id))
      .limit(backfillLimit.notifications);
    const missedEvents = await this.db
      .select(eventColumns)
      .from(events)
      .where(and(gt(events.id, from.events), lte(events.id, upTo.events), streamedEventsOnly))
      .orderBy(desc(events.id))
      .limit(backfillLimit.events);
    return [
      ...missedEvents
        .reverse()
        .filter((e) => eventIsRelevant(actor, e))
        .map((e) => ({ key: `e${e.id}`, message: sseMessage(e.subjectType, presentStreamEvent(e), id) })),
      ...missedNotifications.reverse().map((n) => ({ key: `n${n.id}`, message: sseMessage('notification', presentNotification(n), id) })),
    ];
  }
}
