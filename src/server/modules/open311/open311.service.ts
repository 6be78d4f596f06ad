// Open311 GeoReport v2 over the appeals loop. Services are the leaf categories (grouped by their
// top-level category); a request posted here enters THE intake pipeline (submitAppeal, channel
// `open311`: routing, deadlines, timeline, notices); requests read back are the public view of a
// case: the tracking code is the service_request_id, the place is named down to the community
// (never the reporter's address), the pin is rounded to ~100 m and phone or ID numbers in the
// text are masked. Where the spec leaves room:
//   - status is open/closed; the detailed state is in status_notes ("已签收 signed"); a case
//     merged into another (已并案) is closed with "duplicate of <code>", as in the spec's example;
//   - media_url is kept on the case in `suggestions.open311.mediaUrl` (the dispatcher sees it in
//     the staff view) and returned as media_url; email, device_id and account_id are not kept;
//   - tokens: requests are created in real time, so the tracking code is both token and id.
import { and, eq } from 'drizzle-orm';
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { appeals } from '../../db/schema.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { can } from '../../policy/index.ts';
import { formatCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import type { TerritoryIndex } from '../territories/territory-index.ts';
import { publicPlaceNames, publicPlaceCodes } from '../territories/territories.repository.ts';
import { openStatuses, isValidTrackingCode, type AppealStatus, type Urgency } from '../appeals/appeal-rules.ts';
import { organisationNames } from '../appeals/appeals.repository.ts';
import { loadCatalogue, type Catalogue, type Category } from '../appeals/catalogue.ts';
import { submitAppeal } from '../appeals/intake.service.ts';
import { w3cDateTime, xmlSafe, type Open311Value } from './open311.format.ts';
import { catalogueChangedAt, findAppealCodes, findRequestByCode, findRequests, publicTimelines, publicUpdates, unclassified, type RequestRow } from './open311.repository.ts';

export const specification = 'http://wiki.open311.org/GeoReport_v2';
/** The spec's limits: a query spans at most 90 days and returns at most 1,000 requests. */
export const maxSpanDays = 90;
export const maxPageSize = 1000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Services

export interface Service {
  [key: string]: Open311Value;
  service_code: string;
  service_name: string;
  description: string | null;
  metadata: boolean;
  type: 'realtime';
  keywords: string | null;
  group: string | null;
}

const isLeaf = (c: Category) => c.active && Boolean(c.deptType) && c.parentCode !== null;

function leaves(catalogue: Catalogue): Category[] {
  return [...catalogue.categories.values()].filter(isLeaf);
}

function presentService(catalogue: Catalogue, c: Category): Service {
  const group = c.parentCode ? catalogue.categories.get(c.parentCode) : undefined;
  const keywords = [...new Set([...c.nameZh.split(/[、，,]/), ...(c.nameEn ? [c.nameEn] : []), ...(group ? [group.nameZh] : [])].map((k) => k.trim()).filter(Boolean))];
  return {
    service_code: c.code,
    service_name: c.nameZh,
    description: c.nameEn ? `${c.nameZh} (${c.nameEn})` : c.nameZh,
    // Every service has a definition (the attributes below).
    metadata: true,
    type: 'realtime',
    keywords: keywords.join(', '),
    group: group?.nameZh ?? null,
  };
}

export async function listServices(db: Db): Promise<Service[]> {
  const catalogue = await loadCatalogue(db);
  return leaves(catalogue).map((c) => presentService(catalogue, c));
}

/** The attributes every service takes; POST requests reads them from `attribute[code]`. */
const attributes = [
  {
    variable: true,
    code: 'urgency',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: null,
    order: 1,
    description: '是否有人身危险或紧急险情（燃气泄漏、人员被困、井盖缺失等）？ Is anyone in immediate danger (gas leak, people trapped, missing manhole cover)?',
    values: [
      { key: 'normal', name: '一般 Normal' },
      { key: 'urgent', name: '紧急 Urgent: immediate danger' },
    ],
  },
  {
    variable: true,
    code: 'hide_identity',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: null,
    order: 2,
    description: '对承办单位隐藏反映人身份 Hide the reporter’s name and phone from the handling unit',
    values: [
      { key: 'false', name: '否 No' },
      { key: 'true', name: '是 Yes' },
    ],
  },
  {
    variable: true,
    code: 'location_detail',
    datatype: 'string',
    required: false,
    datatype_description: '最多 200 字 At most 200 characters',
    order: 3,
    description: '楼栋、门牌或参照物（仅承办单位可见） Building, door number or landmark (seen by the handling unit only)',
  },
] as const;

export async function serviceDefinition(db: Db, code: string) {
  const catalogue = await loadCatalogue(db);
  const category = catalogue.categories.get(code);
  if (!category || !isLeaf(category)) throw notFound(`Service ${code}`);
  return { service_code: category.code, attributes: attributes.map((a) => ({ ...a, values: 'values' in a ? a.values.map((v) => ({ ...v })) : undefined })) };
}

// ---------------------------------------------------------------------------------------------
// Discovery

export async function discovery(db: Db, endpointUrl: string, production: boolean) {
  const changedAt = await catalogueChangedAt(db);
  const changeset = changedAt ? w3cDateTime(changedAt) : '1970-01-01T08:00:00+08:00';
  return {
    changeset,
    contact: '共治 Gongzhi 民生诉求服务中心：请联系本平台管理员 (contact the administrators of this installation)',
    key_service: 'api_key: 管理员为集成账号签发 API 令牌 (an administrator issues an API token to an integration account: POST /api/v1/accounts/{id}/tokens)',
    endpoints: [
      {
        specification,
        url: endpointUrl,
        changeset,
        type: production ? 'production' : 'test',
        formats: ['text/xml', 'application/json'],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// POST requests

/** A form (or JSON) body: plain fields, and `attribute[code]` / `attribute[code][]` values. */
export interface Open311Form {
  fields: Map<string, string>;
  attributes: Map<string, string[]>;
}

const attributeKey = /^attribute\[([^\]]{1,64})\](\[\])?$/;

/** Reads an `application/x-www-form-urlencoded` body, or a JSON object of the same fields. */
export function readForm(body: unknown): Open311Form {
  const fields = new Map<string, string>();
  const attrs = new Map<string, string[]>();
  const add = (key: string, raw: unknown) => {
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined && v !== null).map((v) => String(v));
    const m = attributeKey.exec(key);
    if (m) attrs.set(m[1]!, [...(attrs.get(m[1]!) ?? []), ...values]);
    else if (key === 'attribute' && raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [code, v] of Object.entries(raw as Record<string, unknown>)) add(`attribute[${code}]`, v);
    } else if (!fields.has(key) && values.length > 0) fields.set(key, values[0]!);
  };
  if (body instanceof URLSearchParams) for (const [k, v] of body) add(k, v);
  else if (body && typeof body === 'object') for (const [k, v] of Object.entries(body as Record<string, unknown>)) add(k, v);
  return { fields, attributes: attrs };
}

/** Optional arguments: an empty value is the same as none (spec: "Optional Arguments"). */
function field(form: Open311Form, name: string): string | undefined {
  const v = form.fields.get(name)?.trim();
  return v ? v : undefined;
}

function number(form: Open311Form, name: string): number | undefined {
  const raw = field(form, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw invalid(`/${name}`, `${name} must be a number, got "${raw.slice(0, 40)}".`);
  return n;
}

/** Mainland mobile or landline, with +86, spaces and dashes allowed; normalised to digits. */
function phoneOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let p = raw.replace(/[\s()-]/g, '');
  if (p.startsWith('+86')) p = p.slice(3);
  else if (p.startsWith('0086')) p = p.slice(4);
  if (/^1[3-9]\d{9}$/.test(p) || /^0\d{9,11}$/.test(p)) return p;
  throw invalid('/phone', 'phone must be a mainland mobile (11 digits, starting with 1) or landline number with its area code.');
}

/** 姓 + 名 for Chinese names (张 + 小明 → 张小明), "first last" otherwise. */
function nameOf(first: string | undefined, last: string | undefined): string | undefined {
  if (!first && !last) return undefined;
  const cjk = /[\u3400-\u9fff]/;
  const name = cjk.test(`${first ?? ''}${last ?? ''}`) ? `${last ?? ''}${first ?? ''}` : [first, last].filter(Boolean).join(' ');
  if ([...name].length > 40) throw invalid('/first_name', 'first_name and last_name together have at most 40 characters.');
  return name;
}

function mediaUrlOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('/media_url', 'media_url must be an absolute http(s) URL.');
  }
  if (!['http:', 'https:'].includes(url.protocol) || raw.length > 2000) throw invalid('/media_url', 'media_url must be an absolute http(s) URL of at most 2,000 characters.');
  return url.toString();
}

function singleValue(form: Open311Form, code: string, allowed: readonly string[]): string | undefined {
  const values = form.attributes.get(code)?.map((v) => v.trim()).filter(Boolean) ?? [];
  if (values.length === 0) return undefined;
  if (values.length > 1 || !allowed.includes(values[0]!)) throw invalid(`/attribute[${code}]`, `attribute[${code}] takes one of ${allowed.join(', ')}.`);
  return values[0];
}

export interface PostResult {
  [key: string]: Open311Value;
  service_request_id: string;
  service_notice: string | null;
  account_id: null;
}

export interface Open311Deps {
  db: Db;
  territoryIndex: TerritoryIndex;
}

export async function submitRequest(deps: Open311Deps, ctx: CallContext, form: Open311Form): Promise<PostResult[]> {
  const actor = ctx.actor;
  if (!actor) throw new AppError('forbidden', 'api_key is required to create a service request.');
  if (!actor.grants.some((g) => can(actor, 'appeal.intake', g.scopePath))) throw new AppError('forbidden', 'This api_key may not create service requests (it needs the operator or administrator role).');
  const serviceCode = field(form, 'service_code');
  if (!serviceCode) throw invalid('/service_code', 'service_code was not provided.');
  const catalogue = await loadCatalogue(deps.db);
  const category = catalogue.categories.get(serviceCode);
  if (!category || !isLeaf(category)) throw notFound(`service_code ${serviceCode}`);

  const lat = number(form, 'lat');
  const lon = number(form, 'long');
  const addressString = field(form, 'address_string');
  if ((lat === undefined) !== (lon === undefined)) throw invalid('/lat', 'Send both lat and long.');
  if (lat !== undefined && (lat < -90 || lat > 90 || lon! < -180 || lon! > 180)) throw invalid('/lat', 'lat and long must be WGS84 degrees.');
  if (lat === undefined && !addressString) {
    if (field(form, 'address_id')) throw invalid('/address_id', 'address_id is not supported here; send lat and long, or address_string.');
    throw invalid('/lat', 'A location is required: lat and long, or address_string.');
  }
  if (addressString && addressString.length > 200) throw invalid('/address_string', 'address_string has at most 200 characters.');
  const description = field(form, 'description');
  if (description && description.length > 4000) throw invalid('/description', 'description has at most 4,000 characters.');
  const urgency = singleValue(form, 'urgency', ['normal', 'urgent']) as Urgency | undefined;
  const hide = singleValue(form, 'hide_identity', ['true', 'false']);
  const detail = form.attributes.get('location_detail')?.join(' ').trim();
  if (detail && detail.length > 200) throw invalid('/attribute[location_detail]', 'attribute[location_detail] has at most 200 characters.');
  const mediaUrl = mediaUrlOf(field(form, 'media_url'));
  const address = [addressString, detail].filter(Boolean).join(' ') || undefined;

  const { appeal } = await submitAppeal(deps, ctx, {
    channel: 'open311',
    categoryCode: category.code,
    // The spec makes the description optional; a case needs words, so the service names it.
    text: description ?? `${category.nameZh}（经 Open311 提交，未附描述）`,
    urgency,
    hideIdentity: hide === undefined ? undefined : hide === 'true',
    location: lat !== undefined ? { lat, lon, address } : { address },
    contactName: nameOf(field(form, 'first_name'), field(form, 'last_name')),
    contactPhone: phoneOf(field(form, 'phone')),
    suggestions: { open311: { mediaUrl: mediaUrl ?? null } },
  });
  const unit = appeal.leadOrgId ? (await organisationNames(deps.db, [appeal.leadOrgId])).get(appeal.leadOrgId)?.nameZh ?? null : null;
  return [{ service_request_id: appeal.code, service_notice: serviceNotice(appeal, unit, null), account_id: null }];
}

// ---------------------------------------------------------------------------------------------
// Requests read back

export interface Note {
  [key: string]: Open311Value;
  datetime: string;
  description: string;
  type: string;
}

export interface Open311Request {
  [key: string]: Open311Value;
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  notes?: Note[];
}

const statusLabels: Record<AppealStatus, string> = {
  submitted: '待分拨 submitted',
  dispatched: '待签收 dispatched',
  signed: '已签收 signed',
  in_progress: '办理中 in progress',
  replied: '已回复 replied',
  verified: '已核实 verified',
  closed: '已办结 closed',
  returned: '已退单，重新分拨 returned for re-dispatch',
  reopened: '重办 reopened',
  merged: '已并案 merged',
};

const actionLabels: Record<string, string> = {
  'appeal.submitted': '已受理 submitted',
  'appeal.dispatched': '已派单 dispatched',
  'appeal.signed': '已签收 signed',
  'appeal.co_signed': '协办单位已签收 co-handler signed',
  'appeal.started': '开始办理 in progress',
  'appeal.replied': '已回复 replied',
  'appeal.co_replied': '协办单位已回复 co-handler replied',
  'appeal.returned': '退回重新分拨 returned for re-dispatch',
  'appeal.extended': '办理期限延长 deadline extended',
  'appeal.escalated': '提级协调 escalated',
  'appeal.verified': '已核实 verified',
  'appeal.closed': '已办结 closed',
  'appeal.answered': '当场答复 answered on the spot',
  'appeal.rated': '已评价 rated',
  'appeal.reopened': '重办 reopened',
  'appeal.merged': '已并案 merged',
  'appeal.parent_closed': '并案诉求已办结 the case it was merged into is closed',
};

export const isClosed = (status: string) => status === 'closed' || status === 'merged';
const openOrClosed = (status: string): 'open' | 'closed' => (isClosed(status) ? 'closed' : 'open');

const replyStates = ['replied', 'verified', 'closed'];

function statusNotes(a: Pick<RequestRow, 'status' | 'replyText'>, parentCode: string | null): string {
  const label = statusLabels[a.status as AppealStatus] ?? a.status;
  if (a.status === 'merged') return `${label}: duplicate of ${parentCode ?? 'another request'}`;
  if (replyStates.includes(a.status) && a.replyText) return `${label}: ${maskNumbers(a.replyText)}`;
  return label;
}

function serviceNotice(a: Pick<RequestRow, 'status' | 'resolveDueAt'>, unit: string | null, parentCode: string | null): string | null {
  const due = a.resolveDueAt ? formatCalendarDate(shanghaiDay(a.resolveDueAt)) : null;
  switch (a.status) {
    case 'merged':
      return `同一问题已在办理中（诉求 ${parentCode ?? '—'}），办结后一并答复。 The problem is already being handled (request ${parentCode ?? '—'}); you will hear the result.`;
    case 'closed':
      return '已办结。 Closed.';
    case 'replied':
    case 'verified':
      return '承办单位已答复。 The handling unit has replied.';
    case 'submitted':
    case 'returned':
      return '已受理，等待分拨派单。 Received; a dispatcher will assign it.';
    default:
      return unit ? `由${unit}办理${due ? `，预计 ${due} 前办结` : ''}。 Handled by ${unit}${due ? `; expected by ${due}` : ''}.` : null;
  }
}

/** Public text: mobile, landline and ID-card numbers masked (the first 3 and last 4 digits stay). */
export function maskNumbers(text: string): string {
  return xmlSafe(text).replace(/(?<![\dA-Za-z])(?:1[3-9]\d{9}|\d{17}[\dXx]|0\d{2,3}-?\d{7,8})(?![\dA-Za-z])/g, (m) => m.slice(0, 3) + '*'.repeat(m.length - 7) + m.slice(-4));
}

const round3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

function noteOf(e: { at: Date; action: string; note: string | null }): Note {
  const label = actionLabels[e.action] ?? e.action.replace(/^appeal\./, '');
  return { datetime: w3cDateTime(e.at), description: e.note ? `${label}: ${maskNumbers(e.note)}` : label, type: e.action.replace(/^appeal\./, '') };
}

/** The public Open311 view of cases, with names read in a few batched queries. */
export async function presentRequests(db: Db, rows: RequestRow[], options: { extensions?: boolean } = {}): Promise<Open311Request[]> {
  if (rows.length === 0) return [];
  const catalogue = await loadCatalogue(db);
  // The place: city … community, never the grid or building, never the reporter's address.
  const [units, places, parents, timeline] = await Promise.all([
    organisationNames(db, [...new Set(rows.map((a) => a.leadOrgId).filter((x): x is string => Boolean(x)))]),
    publicPlaceNames(db, rows.map((a) => a.territoryPath)),
    findAppealCodes(db, [...new Set(rows.map((a) => a.parentId).filter((x): x is string => Boolean(x)))]),
    options.extensions ? publicTimelines(db, rows.map((a) => a.id)) : Promise.resolve([]),
  ]);
  const notes = new Map<string, Note[]>();
  for (const e of timeline) notes.set(e.subjectId, [...(notes.get(e.subjectId) ?? []), noteOf(e)]);
  return rows.map((a) => {
    const category = a.categoryCode ? catalogue.categories.get(a.categoryCode) : undefined;
    const unit = a.leadOrgId ? (units.get(a.leadOrgId)?.nameZh ?? null) : null;
    const parentCode = a.parentId ? (parents.get(a.parentId) ?? null) : null;
    const address = places(a.territoryPath).reverse().join(', ');
    const request: Open311Request = {
      service_request_id: a.code,
      status: openOrClosed(a.status),
      status_notes: statusNotes(a, parentCode),
      service_name: category?.nameZh ?? (a.categoryCode ? a.categoryCode : '待分类 unclassified'),
      service_code: a.categoryCode ?? unclassified,
      description: maskNumbers(a.text),
      agency_responsible: unit,
      service_notice: serviceNotice(a, unit, parentCode),
      requested_datetime: w3cDateTime(a.createdAt),
      updated_datetime: w3cDateTime(a.status === 'closed' ? (a.closedAt ?? a.updatedAt) : a.updatedAt),
      expected_datetime: w3cDateTime(a.resolveDueAt),
      address: address || null,
      address_id: publicPlaceCodes(a.territoryPath).at(-1) ?? null,
      zipcode: null,
      lat: round3(a.lat),
      long: round3(a.lon),
      media_url: a.mediaUrl,
    };
    if (options.extensions) request.notes = notes.get(a.id) ?? [];
    return request;
  });
}

/** A date-time argument: W3C with a zone (a missing zone means China Standard Time) or a date. */
export function parseDateArg(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? `${v}T00:00:00+08:00`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(v)
      ? `${v}+08:00`
      : v;
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(withZone);
  const date = new Date(withZone);
  if (!ok || Number.isNaN(date.getTime())) throw invalid(`/${name}`, `${name} must be a W3C date-time such as 2026-01-01T00:00:00Z.`);
  return date;
}

/** [from, to] of a query: at most 90 days; the most recent 90 days when neither end is given. */
export function resolveSpan(startArg: string | undefined, endArg: string | undefined, now: Date): { from: Date; to: Date } {
  const start = parseDateArg(startArg, 'start_date');
  const end = parseDateArg(endArg, 'end_date');
  const span = maxSpanDays * DAY_MS;
  if (start && end) {
    if (end < start) throw invalid('/end_date', 'end_date is before start_date.');
    if (end.getTime() - start.getTime() > span) throw invalid('/end_date', `start_date and end_date may not be more than ${maxSpanDays} days apart.`);
    return { from: start, to: end };
  }
  if (start) return { from: start, to: new Date(start.getTime() + span) };
  if (end) return { from: new Date(end.getTime() - span), to: end };
  return { from: new Date(now.getTime() - span), to: now };
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
  return items.length ? items : undefined;
}

export interface RequestsQuery {
  service_request_id?: string | undefined;
  service_code?: string | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  status?: string | undefined;
  page?: number | undefined;
  page_size?: number | undefined;
  extensions?: string | boolean | undefined;
}

const wantsExtensions = (v: string | boolean | undefined) => v === true || v === 'true' || v === '1';

function paging(q: { page?: number | undefined; page_size?: number | undefined }) {
  const limit = Math.min(maxPageSize, Math.max(1, q.page_size ?? maxPageSize));
  return { limit, offset: (Math.max(1, q.page ?? 1) - 1) * limit };
}

export async function getRequests(db: Db, q: RequestsQuery, now: Date): Promise<Open311Request[]> {
  const { limit, offset } = paging(q);
  const ids = list(q.service_request_id);
  let rows: RequestRow[];
  if (ids) {
    // service_request_id overrides every other argument.
    if (ids.length > maxPageSize) throw invalid('/service_request_id', `At most ${maxPageSize} service_request_id at once.`);
    rows = await findRequests(db, { codes: ids.map((c) => c.replace(/\s/g, '')).filter(isValidTrackingCode), from: now, to: now, limit, offset });
  } else {
    const { from, to } = resolveSpan(q.start_date, q.end_date, now);
    const wanted = list(q.status);
    const bad = wanted?.filter((s) => s !== 'open' && s !== 'closed');
    if (bad?.length) throw invalid('/status', 'status is open or closed (or both, comma separated).');
    const statuses = wanted && wanted.length === 1 ? (wanted[0] === 'open' ? openStatuses : ['closed', 'merged']) : undefined;
    // The end is inclusive (the spec's "latest datetime to include").
    rows = await findRequests(db, { serviceCodes: list(q.service_code), statuses, from, to: new Date(to.getTime() + 1), limit, offset });
  }
  return presentRequests(db, rows, { extensions: wantsExtensions(q.extensions) });
}

export async function getRequest(db: Db, id: string, extensions: string | boolean | undefined): Promise<Open311Request[]> {
  const code = id.replace(/\s/g, '');
  const row = isValidTrackingCode(code) ? await findRequestByCode(db, code) : undefined;
  if (!row) throw notFound(`Service request ${id}`);
  return presentRequests(db, [row], { extensions: wantsExtensions(extensions) });
}

/** Requests are created in real time: a token is the tracking code itself. */
export async function getToken(db: Executor, token: string) {
  const code = token.replace(/\s/g, '');
  const [row] = isValidTrackingCode(code) ? await db.select({ code: appeals.code }).from(appeals).where(and(eq(appeals.code, code))) : [];
  if (!row) throw notFound(`Token ${token}`);
  return [{ service_request_id: row.code, token: row.code }];
}

// ---------------------------------------------------------------------------------------------
// mySociety's service request updates: the public timeline events of a period.

export async function getUpdates(db: Db, q: { start_date?: string | undefined; end_date?: string | undefined; page?: number | undefined; page_size?: number | undefined }, now: Date) {
  const { from, to } = resolveSpan(q.start_date, q.end_date, now);
  const { limit, offset } = paging(q);
  const rows = await publicUpdates(db, from, new Date(to.getTime() + 1), limit, offset);
  // The state after each event: its own, or the one before it (in this page), or the case's now.
  const last = new Map<string, string>();
  return rows.map((r) => {
    const state = r.to_state ?? (r.action === 'appeal.parent_closed' ? 'closed' : (last.get(r.appeal_id) ?? r.status));
    last.set(r.appeal_id, state);
    const n = noteOf({ at: r.at, action: r.action, note: r.note });
    return {
      update_id: String(r.id),
      service_request_id: r.code,
      status: openOrClosed(state),
      updated_datetime: n.datetime,
      description: n.description,
      media_url: null,
    };
  });
}
