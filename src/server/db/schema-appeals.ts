// Tables of the appeals loop (民生诉求): categories and routing rules (data administrators edit),
// the appeals themselves, the units handling each, attachments, and the statistics rollups.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Appeal categories: top-level groups and leaf categories with their default route. */
export const categories = pgTable('categories', {
  code: text('code').primaryKey(),
  parentCode: text('parent_code'),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en'),
  /** Leaf only: the department type and the level that handle it by default. */
  deptType: text('dept_type'),
  level: text('level'),
  /** Working days to resolve a normal-urgency case. */
  resolveDays: integer('resolve_days'),
  sort: integer('sort').notNull().default(0),
  active: boolean('active').notNull().default(true),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * Overrides of a category's default route inside a territory (e.g. this district sends street
 * lights to the street team). The most specific rule whose territory covers the case wins.
 */
export const routingRules = pgTable(
  'routing_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    categoryCode: text('category_code').notNull(),
    territoryPath: text('territory_path').notNull(),
    level: text('level').notNull(),
    deptType: text('dept_type').notNull(),
    note: text('note'),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('routing_rules_unique').on(t.categoryCode, t.territoryPath).where(sql`${t.active}`)],
);

export const appeals = pgTable(
  'appeals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Tracking code a person can read out on the phone: 12 digits, the last a check digit. */
    code: text('code').notNull(),
    /** `<submitter>:<client key>`: a retried submission finds the first case. */
    idempotencyKey: text('idempotency_key'),
    channel: text('channel').notNull(),
    status: text('status').notNull(),
    text: text('text').notNull(),
    categoryCode: text('category_code'),
    urgency: text('urgency').notNull().default('normal'),
    lon: doublePrecision('lon'),
    lat: doublePrecision('lat'),
    address: text('address'),
    /** The located territory (normally a grid) and its path: scoping and statistics. */
    territoryId: uuid('territory_id').notNull(),
    territoryPath: text('territory_path').notNull(),
    /** Distribution key for sharding (Citus) and partition pruning. */
    districtCode: text('district_code').notNull(),
    hideIdentity: boolean('hide_identity').notNull().default(false),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    reporterId: uuid('reporter_id'),
    createdBy: uuid('created_by'),
    /** 主办: the unit that leads; null while the case waits in a dispatch queue. */
    leadOrgId: uuid('lead_org_id'),
    /** The appeals service centre whose dispatchers hold the case when no unit is placed. */
    dispatchOrgId: uuid('dispatch_org_id').notNull(),
    routeRule: text('route_rule'),
    routeReason: text('route_reason'),
    signDueAt: ts('sign_due_at'),
    replyDueAt: ts('reply_due_at'),
    resolveDueAt: ts('resolve_due_at'),
    /** Deadline state set by the sweep: null, 'warning' or 'overdue'. */
    deadlineState: text('deadline_state'),
    escalationLevel: integer('escalation_level').notNull().default(0),
    dispatchedAt: ts('dispatched_at'),
    signedAt: ts('signed_at'),
    repliedAt: ts('replied_at'),
    closedAt: ts('closed_at'),
    replyText: text('reply_text'),
    returnCount: integer('return_count').notNull().default(0),
    extensionCount: integer('extension_count').notNull().default(0),
    /** A pending extension request: the deadline asked for and why. */
    extensionRequestedUntil: ts('extension_requested_until'),
    extensionReason: text('extension_reason'),
    urgeCount: integer('urge_count').notNull().default(0),
    supervised: boolean('supervised').notNull().default(false),
    reopenCount: integer('reopen_count').notNull().default(0),
    parentId: uuid('parent_id'),
    duplicateOfId: uuid('duplicate_of_id'),
    resolution: text('resolution'),
    satisfaction: text('satisfaction'),
    ratingComment: text('rating_comment'),
    ratedAt: ts('rated_at'),
    rateBy: ts('rate_by'),
    /** Smart-dispatch suggestions and the classifier's confidence, when any. */
    suggestions: jsonb('suggestions'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('appeals_code_key').on(t.code),
    uniqueIndex('appeals_idempotency_key').on(t.idempotencyKey),
    index('appeals_territory_path_idx').on(t.territoryPath.op('text_pattern_ops')),
    index('appeals_lead_status_idx').on(t.leadOrgId, t.status),
    index('appeals_dispatch_status_idx').on(t.dispatchOrgId, t.status),
    // Sparse columns (most cases come by phone, few are merged): only rows that have one.
    index('appeals_reporter_idx').on(t.reporterId, t.createdAt).where(sql`${t.reporterId} is not null`),
    index('appeals_parent_idx').on(t.parentId).where(sql`${t.parentId} is not null`),
    index('appeals_open_due_idx')
      .on(t.resolveDueAt)
      .where(sql`${t.status} not in ('closed', 'merged')`),
    index('appeals_created_idx').on(t.createdAt),
    // Duplicate candidates: open cases of a category in a box (duplicates.ts). The scan is bounded
    // by latitude; longitude is tested on the index entries, so cases elsewhere in the band cost
    // no visit to the table.
    index('appeals_open_category_place_idx')
      .on(t.categoryCode, t.lat, t.lon)
      .where(sql`${t.status} not in ('closed', 'merged')`),
  ],
);

/** Units handling a case: the lead (主办) and co-handlers (协办) brought in by escalation. */
export const appealHandlers = pgTable(
  'appeal_handlers',
  {
    appealId: uuid('appeal_id')
      .notNull()
      .references(() => appeals.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').notNull(),
    /** lead | co */
    role: text('role').notNull(),
    addedAt: ts('added_at').notNull().defaultNow(),
    addedBy: uuid('added_by'),
    signedAt: ts('signed_at'),
    repliedAt: ts('replied_at'),
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.appealId, t.organisationId] }), index('appeal_handlers_org_idx').on(t.organisationId)],
);

export const appealAttachments = pgTable(
  'appeal_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    appealId: uuid('appeal_id')
      .notNull()
      .references(() => appeals.id, { onDelete: 'cascade' }),
    /** The timeline event it came with (a reply's photos), if any. */
    eventId: bigint('event_id', { mode: 'number' }),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width'),
    height: integer('height'),
    /** public: shown on the resident's timeline; staff: handling units only. */
    visibility: text('visibility').notNull().default('public'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('appeal_attachments_appeal_idx').on(t.appealId)],
);

/**
 * Statistics deltas, appended by every change in its own transaction (no hot rows, so intake
 * never waits on a shared counter) and folded into the rollups below by one runner at a time.
 */
export const rollupDeltas = pgTable('rollup_deltas', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  day: date('day', { mode: 'string' }).notNull(),
  territoryPath: text('territory_path').notNull(),
  organisationId: uuid('organisation_id'),
  categoryCode: text('category_code'),
  channel: text('channel'),
  metric: text('metric').notNull(),
  n: integer('n').notNull(),
});

/** Per day, per territory node (city … community), per metric. KPIs and trends read this. */
export const rollupTerritory = pgTable(
  'rollup_territory',
  {
    day: date('day', { mode: 'string' }).notNull(),
    nodePath: text('node_path').notNull(),
    metric: text('metric').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodePath, t.day, t.metric] })],
);

/** Per day, territory node and category: category rankings and hotspots. */
export const rollupCategory = pgTable(
  'rollup_category',
  {
    day: date('day', { mode: 'string' }).notNull(),
    nodePath: text('node_path').notNull(),
    categoryCode: text('category_code').notNull(),
    metric: text('metric').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodePath, t.day, t.categoryCode, t.metric] })],
);

/** Per day, territory node and channel: the channel mix. */
export const rollupChannel = pgTable(
  'rollup_channel',
  {
    day: date('day', { mode: 'string' }).notNull(),
    nodePath: text('node_path').notNull(),
    channel: text('channel').notNull(),
    metric: text('metric').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodePath, t.day, t.channel, t.metric] })],
);

/** Per day, handling unit and metric: the unit ranking and each unit's three rates. */
export const rollupUnit = pgTable(
  'rollup_unit',
  {
    day: date('day', { mode: 'string' }).notNull(),
    organisationId: uuid('organisation_id').notNull(),
    metric: text('metric').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.day, t.metric] })],
);

/** Raw bytes (PostgreSQL bytea); node-postgres reads a Buffer, PGlite a Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
});

/** Trained versions of the category classifier; exactly one is active, the one every process serves. */
export const classifierModels = pgTable(
  'classifier_models',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    version: text('version').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    active: boolean('active').notNull().default(false),
    /** What it was trained on and how it did (see modules/classifier). */
    metrics: jsonb('metrics'),
    /** The serialized weights (gzip; format in modules/classifier/model.ts). */
    model: bytea('model').notNull(),
  },
  (t) => [uniqueIndex('classifier_models_version_key').on(t.version), uniqueIndex('classifier_models_one_active').on(t.active).where(sql`${t.active}`)],
);
