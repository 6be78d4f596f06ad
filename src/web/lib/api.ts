// One typed client for the Gongzhi API. Errors keep the server's stable code so that the UI can
// say, in the reader's language, what to do about them.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { field?: string; message?: string }[],
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : null;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: [] } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText, err?.details);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  form: <T>(path: string, form: FormData) => request<T>('POST', path, form),
};

/** Builds a query string from the defined values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

// ---- shapes the pages read (a subset of /api/docs) ----
export interface Grant {
  id: string;
  role: string;
  territoryId: string;
  scopePath: string;
  organisationId: string | null;
}
export interface Me {
  id: string;
  displayName: string;
  username: string | null;
  phone: string | null;
  locale: string;
  grants: Grant[];
}
export interface Unit {
  id: string;
  nameZh: string;
  nameEn: string | null;
}
export interface TimelineEntry {
  id: number;
  at: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  actorRole: string | null;
  unit: Unit | null;
}
export interface Photo {
  id: string;
  mime: string;
  url: string;
}
export interface PublicAppeal {
  id: string;
  code: string;
  status: string;
  categoryCode: string | null;
  text: string;
  urgency: string;
  channel: string;
  place: string;
  approxLon: number | null;
  approxLat: number | null;
  leadUnit: Unit | null;
  createdAt: string;
  replyText: string | null;
  repliedAt: string | null;
  closedAt: string | null;
  rateBy: string | null;
  resolution: string | null;
  satisfaction: string | null;
  parentCode: string | null;
  photos: Photo[];
  timeline: TimelineEntry[];
}
export interface StaffAppeal extends PublicAppeal {
  territoryPath: string;
  lon: number | null;
  lat: number | null;
  address: string | null;
  hideIdentity: boolean;
  contact: { contactName: string | null; contactPhone: string | null };
  dispatchUnit: Unit;
  handlers: { id: string; nameZh: string; role: string; signedAt: string | null; repliedAt: string | null }[];
  routeRule: string | null;
  routeReason: string | null;
  /** The open case this one probably duplicates (found on intake); the dispatcher merges or not. */
  duplicateOf: { id: string; code: string; status: string } | null;
  signDueAt: string | null;
  replyDueAt: string | null;
  resolveDueAt: string | null;
  deadlineState: string | null;
  escalationLevel: number;
  returnCount: number;
  extensionCount: number;
  extensionRequestedUntil: string | null;
  extensionReason: string | null;
  urgeCount: number;
  supervised: boolean;
  reopenCount: number;
  signedAt: string | null;
  suggestions: unknown;
  allowedActions: string[];
}
export interface ListItem {
  id: string;
  code: string;
  status: string;
  categoryCode: string | null;
  text: string;
  urgency: string;
  channel: string;
  territoryPath: string;
  createdAt: string;
  signDueAt: string | null;
  resolveDueAt: string | null;
  deadlineState: string | null;
  supervised: boolean;
  urgeCount: number;
}
export interface Category {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string | null;
  active: boolean;
}
export interface Organisation {
  id: string;
  nameZh: string;
  nameEn: string | null;
  type?: string;
}
export interface IntakeResponse {
  id: string;
  code: string;
  status: string;
  created: boolean;
  routeReason: string | null;
}
export interface LocatedTerritory {
  code: string;
  level: string;
  path: string;
  nameZh: string;
  nameEn: string | null;
}
