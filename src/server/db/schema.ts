// The one schema of the product. drizzle-kit diffs it into SQL under migrations/.
// Every record that lives somewhere carries the territory path it belongs to, so that
// scoping, routing and statistics are one prefix query (`path = $1 OR path LIKE $1 || '.%'`).
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** 区划网格: city → district → street → community → grid → building, one tree. */
export const territories = pgTable(
  'territories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    parentId: uuid('parent_id'),
    level: text('level').notNull(),
    /** Codes from the root down to this one, joined by '.', e.g. `SZ.FT.FT01.FT01C01`. */
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    /** GeoJSON Polygon or MultiPolygon geometry in WGS84 (lon, lat). */
    boundary: jsonb('boundary'),
    centroidLon: doublePrecision('centroid_lon'),
    centroidLat: doublePrecision('centroid_lat'),
    households: integer('households'),
    population: integer('population'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('territories_code_key').on(t.code),
    uniqueIndex('territories_path_key').on(t.path.op('text_pattern_ops')),
    index('territories_parent_idx').on(t.parentId),
    index('territories_level_idx').on(t.level),
  ],
);

/** Government units, party organisations and social units, each attached to a territory. */
export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    /** government | party | social */
    kind: text('kind').notNull(),
    /** Department type (taxonomy), street_office, community, hotline_center; party org type; social type. */
    type: text('type').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    territoryId: uuid('territory_id').notNull(),
    territoryPath: text('territory_path').notNull(),
    /** Party organisations form their own tree; government units may have a parent unit. */
    parentId: uuid('parent_id'),
    /** Party organisation → the unit that hosts it (a company, a street office, …). */
    hostOrganisationId: uuid('host_organisation_id'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('organisations_code_key').on(t.code),
    index('organisations_territory_path_idx').on(t.territoryPath.op('text_pattern_ops')),
    index('organisations_type_idx').on(t.type, t.territoryId),
    index('organisations_parent_idx').on(t.parentId),
  ],
);

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username'),
    phone: text('phone'),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** active | disabled */
    status: text('status').notNull().default('active'),
    locale: text('locale').notNull().default('zh-CN'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('accounts_username_key').on(t.username), uniqueIndex('accounts_phone_key').on(t.phone)],
);

/** A role is always scoped: to an organisation (and through it its territory) or to a territory. */
export const roleGrants = pgTable(
  'role_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    territoryId: uuid('territory_id')
      .notNull()
      .references(() => territories.id, { onDelete: 'cascade' }),
    /** Copied from the territory so policy checks need no join; kept current on territory moves. */
    scopePath: text('scope_path').notNull(),
    grantedBy: uuid('granted_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('role_grants_account_idx').on(t.accountId),
    // A unit's members: every notice to a unit (intake, transitions, the deadline sweep) fans out by it.
    index('role_grants_organisation_idx').on(t.organisationId),
    uniqueIndex('role_grants_unique').on(t.accountId, t.role, t.territoryId, sql`coalesce(${t.organisationId}, '00000000-0000-0000-0000-000000000000'::uuid)`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SHA-256 of the cookie value; the value itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_account_idx').on(t.accountId)],
);

/** Tokens for integrations (hotline systems, Open311 clients). Acts as the owning account. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The first characters, shown in lists so people can tell tokens apart. */
    prefix: text('prefix').notNull(),
    /** Requests a minute; null means no limit. */
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_token_hash_key').on(t.tokenHash), index('api_tokens_account_idx').on(t.accountId)],
);

/** Failed logins per key (an identifier or an address), kept in the database so every process agrees. */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull().defaultNow(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

/**
 * The one timeline of the product: every mutation writes an event here. Audit queries read all
 * of it; an aggregate's timeline (an appeal's steps) reads its subject; `visibility` says who may
 * see an entry (public: the resident and anonymous views; staff; audit: administrators only).
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    territoryPath: text('territory_path'),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role'),
    actorOrganisationId: uuid('actor_organisation_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    visibility: text('visibility').notNull().default('audit'),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    data: jsonb('data'),
  },
  (t) => [
    index('events_subject_idx').on(t.subjectType, t.subjectId, t.id),
    index('events_actor_idx').on(t.actorId, t.id),
    index('events_territory_idx').on(t.territoryPath.op('text_pattern_ops')),
  ],
);

/**
 * The one notification mechanism. A notice to a unit is fanned out to its members when written,
 * so each person has their own read state.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** The unit on whose behalf the notice was sent, if any. */
    organisationId: uuid('organisation_id'),
    kind: text('kind').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    title: text('title').notNull(),
    body: text('body'),
    data: jsonb('data'),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [index('notifications_account_idx').on(t.accountId, t.id)],
);

/** Small key/value facts about this installation (seed scale, schema notes). */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/**
 * 工作日历: the days that differ from plain Mon–Fri — public holidays and make-up working days
 * (调休上班) on weekends. Seeded from src/server/data/calendar; administrators correct it.
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    date: date('date', { mode: 'string' }).primaryKey(),
    /** holiday | workday (a make-up working day on a Saturday or Sunday) */
    kind: text('kind').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    updatedAt: updatedAt(),
  },
  (t) => [check('calendar_days_kind_check', sql`${t.kind} in ('holiday', 'workday')`)],
);

export * from './schema-appeals.ts';
