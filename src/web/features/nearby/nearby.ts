// 附近的诉求: GET /api/v1/public/appeals/nearby (anonymous) and the hook the pages share.
import { useEffect, useState } from 'react';
import i18n from 'i18next';
import { api, qs } from '../../lib/api';
import { errorText } from '../../lib/errors';

export interface NearbyCase {
  code: string;
  categoryCode: string;
  status: string;
  /** Rounded by the server to ~100 m. */
  lon: number;
  lat: number;
  distanceM: number;
  place: string;
  createdAt: string;
}
export interface NearbyResult {
  center: { lon: number; lat: number };
  radius: number;
  total: number;
  items: NearbyCase[];
}
export interface Point {
  lon: number;
  lat: number;
}

/** The open cases within `radius` metres of `point` (none while the point is unknown). */
export function useNearby(point: Point | null, radius: number, limit = 50) {
  const [result, setResult] = useState<NearbyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const lon = point?.lon;
  const lat = point?.lat;
  useEffect(() => {
    if (lon === undefined || lat === undefined) {
      setResult(null);
      return;
    }
    let live = true;
    setLoading(true);
    api.get<NearbyResult>(`/public/appeals/nearby${qs({ lon, lat, radius, limit })}`).then(
      (r) => live && (setResult(r), setError(null), setLoading(false)),
      (err) => live && (setError(errorText(err)), setResult(null), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [lon, lat, radius, limit]);
  return { result, error, loading };
}

/** 100 米内 · 约 300 米 · about 1.2 km: positions are rounded to ~100 m, so distances are too. */
export function formatDistance(m: number): string {
  if (m < 100) return i18n.t('nearby.within100');
  return m < 1000 ? i18n.t('nearby.aboutMetres', { n: Math.round(m / 100) * 100 }) : i18n.t('nearby.aboutKilometres', { n: (m / 1000).toFixed(1) });
}
