// A small city with the units and staff an appeal meets on its way, for the appeals tests.
import type { App } from '../../src/server/app.ts';
import type { Executor } from '../../src/server/db/client.ts';
import { createTestApp } from './app.ts';
import { account, login, organisation, smallCity } from './factories.ts';

let spots = 0;
/** A new point in D1S1C1's grid at each call, about 1.3 km from the last: reports made at
 *  different spots are never probable duplicates of each other. */
export function nextSpot(): { lon: number; lat: number } {
  const i = spots++ % 36;
  return { lon: 113.95, lat: 22.42 + i * 0.0125 };
}

/** A point inside community D1S1C1 (west), D1S1C2 (east), and one outside the city. */
export const pins = { c1: { lon: 113.95, lat: 22.6 }, c2: { lon: 114.1, lat: 22.6 }, outside: { lon: 120.0, lat: 30.0 } };

export const staff = ['resident', 'resident2', 'handler', 'water', 'c1worker', 'c2worker', 'dispatcher', 'operator', 'leader', 'gridworker'] as const;
export type StaffName = (typeof staff)[number];

export async function appealCity(db: Executor) {
  await smallCity(db);
  const o = {
    hcCity: await organisation(db, { code: 'HC-CITY', territoryCode: '440300', type: 'hotline_center', nameZh: '市民生诉求服务中心' }),
    hcD1: await organisation(db, { code: 'HC-D1', territoryCode: 'D1', type: 'hotline_center', nameZh: '一区民生诉求服务中心' }),
    hcS1: await organisation(db, { code: 'HC-D1S1', territoryCode: 'D1S1', type: 'hotline_center', nameZh: '一街道民生诉求服务中心' }),
    enf: await organisation(db, { code: 'ENF-D1S1', territoryCode: 'D1S1', type: 'street_enforcement', nameZh: '一街道综合行政执法队' }),
    water: await organisation(db, { code: 'WATER-D1', territoryCode: 'D1', type: 'water', nameZh: '一区水务局' }),
    cws1: await organisation(db, { code: 'CWS-C1', territoryCode: 'D1S1C1', type: 'community', nameZh: '西社区工作站' }),
    cws2: await organisation(db, { code: 'CWS-C2', territoryCode: 'D1S1C2', type: 'community', nameZh: '东社区工作站' }),
  };
  const a = {
    resident: await account(db, { username: 'resident', role: 'resident', territoryCode: '440300', phone: '13800000001', displayName: '张三' }),
    resident2: await account(db, { username: 'resident2', role: 'resident', territoryCode: '440300', phone: '13800000002' }),
    handler: await account(db, { username: 'handler', role: 'handler', organisationCode: 'ENF-D1S1' }),
    water: await account(db, { username: 'water', role: 'handler', organisationCode: 'WATER-D1' }),
    c1worker: await account(db, { username: 'c1worker', role: 'community_worker', organisationCode: 'CWS-C1' }),
    c2worker: await account(db, { username: 'c2worker', role: 'community_worker', organisationCode: 'CWS-C2' }),
    dispatcher: await account(db, { username: 'dispatcher', role: 'dispatcher', organisationCode: 'HC-D1S1' }),
    operator: await account(db, { username: 'operator', role: 'operator', organisationCode: 'HC-CITY' }),
    leader: await account(db, { username: 'leader', role: 'leader', territoryCode: 'D1' }),
    gridworker: await account(db, { username: 'gridworker', role: 'grid_worker', territoryCode: 'D1S1C1G1', organisationCode: 'CWS-C1' }),
  };
  return { orgs: o, accounts: a };
}

/** Signs every fixture account in; returns a request helper keyed by name. */
export async function signInAll(app: App) {
  const cookies = {} as Record<StaffName, string>;
  for (const name of staff) cookies[name] = await login(app, name);
  return (who: StaffName | null, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: who ? { cookie: cookies[who] } : {}, ...(payload !== undefined && { payload }) });
}

/** A test app on the appeal city: its territory index built, every fixture account signed in. */
export async function appealTestApp(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp(options);
  const fx = await appealCity(t.db);
  await t.app.deps.territoryIndex.refresh();
  const req = await signInAll(t.app);
  return { t, fx, req };
}
export type AppealTestApp = Awaited<ReturnType<typeof appealTestApp>>;
