// Small-scale geometry on longitude/latitude (WGS 84 degrees): metres per degree, the box around a
// circle (for index-friendly prefilters in SQL), and the great-circle distance.

/** Metres per degree of latitude (and of longitude at the equator). */
export const metresPerDegree = 111_320;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Metres per degree of longitude at latitude `lat` (never below 1 % of the equator's, near the poles). */
export function metresPerDegreeLon(lat: number): number {
  return metresPerDegree * Math.max(0.01, Math.cos(rad(lat)));
}

/** Half the height and width, in degrees, of the box around a circle of `radiusM` at latitude `lat`. */
export function degreesAround(lat: number, radiusM: number): { dLat: number; dLon: number } {
  return { dLat: radiusM / metresPerDegree, dLon: radiusM / metresPerDegreeLon(lat) };
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres. */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
