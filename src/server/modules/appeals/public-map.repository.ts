// SQL of the public map of open cases near a point (public-map.routes.ts). Everything is computed
// on the coarse position (coordinates rounded to 3 decimals, ~100 m): the radius test and the
// distance too, so that asking from many centres cannot narrow a case down to its exact pin.
import { and, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/client.ts';
import { appeals } from '../../db/schema.ts';
import { degreesAround, metresPerDegree, metresPerDegreeLon } from '../../lib/geo.ts';

export interface NearbyRow {
  code: string;
  categoryCode: string;
  status: string;
  lon: number;
  lat: number;
  distanceM: number;
  territoryPath: string;
  createdAt: Date;
  total: number;
}

export interface NearbyQuery {
  lon: number;
  lat: number;
  radiusM: number;
  limit: number;
  /** The categories that may be shown (see public-map.routes.ts). */
  categoryCodes: string[];
}

/**
 * Open cases of the given categories with a pin whose coarse position lies within `radiusM` of
 * the point, nearest first; `total` counts every match before the limit. Left out: cases whose
 * reporter hid their identity (their place alone could point at them). The conditions are
 * those of appeals_open_category_place_idx (open status, category, a box of latitude and longitude).
 */
export async function findOpenCasesNear(db: Executor, q: NearbyQuery): Promise<NearbyRow[]> {
  if (q.categoryCodes.length === 0) return [];
  // The box around the circle, widened by the rounding (half of 0.001°) so that no case whose
  // coarse position is inside the circle is cut off by the prefilter on the exact one.
  const around = degreesAround(q.lat, q.radiusM);
  const dLat = around.dLat + 0.0006;
  const dLon = around.dLon + 0.0006;
  const lon3 = sql`round(${appeals.lon} * 1000) / 1000`;
  const lat3 = sql`round(${appeals.lat} * 1000) / 1000`;
  // Equirectangular distance: within a few kilometres it is off by well under a metre.
  const distance = sql`sqrt(power((${lon3} - ${q.lon}::float8) * ${metresPerDegreeLon(q.lat)}::float8, 2) + power((${lat3} - ${q.lat}::float8) * ${metresPerDegree}::float8, 2))`;
  const where = and(
    sql`${appeals.status} not in ('closed', 'merged')`,
    inArray(appeals.categoryCode, q.categoryCodes),
    sql`${appeals.lat} between ${q.lat - dLat}::float8 and ${q.lat + dLat}::float8`,
    sql`${appeals.lon} between ${q.lon - dLon}::float8 and ${q.lon + dLon}::float8`,
    sql`not ${appeals.hideIdentity}`,
  );
  const rows = await queryRows<Omit<NearbyRow, 'total'>>(
    db,
    sql`select * from (
          select ${appeals.code} as "code", ${appeals.categoryCode} as "categoryCode", ${appeals.status} as "status",
                 ${lon3} as "lon", ${lat3} as "lat", ${distance} as "distanceM",
                 ${appeals.territoryPath} as "territoryPath", ${appeals.createdAt} as "createdAt"
          from ${appeals} where ${where}
        ) near
        where near."distanceM" <= ${q.radiusM}::float8
        order by near."distanceM", near."createdAt" desc
        limit ${q.limit}`,
  );
  let total = rows.length;
  if (rows.length === q.limit) {
    const [count] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from (select ${distance} as d from ${appeals} where ${where}) near where near.d <= ${q.radiusM}::float8`,
    );
    total = count?.n ?? total;
  }
  return rows.map((r) => ({ ...r, total }));
}

