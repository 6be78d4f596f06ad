// The demo city model at a given scale: every territory from the city down to the grids, with
// names, codes, synthetic boundaries and population split down from the public figures.
//   demo: 10 districts, 74 streets, 2 communities a street, 3–4 grids a community (seconds)
//   city: 676 communities spread over the streets by district population, ~22 grids each
// At the demo scale the communities and grids are a sample of the real ones, so their
// population is what a real one would have (a plausible grid has a few hundred households),
// and children need not add up to their parent there.
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { city, communityNameParts, districts, knownCommunities, type DistrictFact } from '../data/shenzhen.ts';
import { mulberry32 } from '../lib/random.ts';
import { splitConvex, toPolygon, voronoiCells, type Ring } from './geometry.ts';

export const scales = ['demo', 'city'] as const;
export type Scale = (typeof scales)[number];

export type SeedLevel = 'city' | 'district' | 'street' | 'community' | 'grid';

export interface TerritorySeed {
  code: string;
  parent: string | null;
  level: SeedLevel;
  nameZh: string;
  nameEn: string;
  population: number;
  households: number;
  polygon: Polygon;
}

export interface CityModel {
  scale: Scale;
  /** Parents before children. */
  territories: TerritorySeed[];
}

/** A random stream per territory code, so each part of the map is stable on its own. */
function rngFor(key: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mulberry32(h);
}

/** Splits `total` into `weights.length` integers in proportion, summing exactly (largest remainder). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = total - parts.reduce((a, b) => a + b, 0); k < left; k++) parts[order[k]![1]]! += 1;
  return parts;
}

/** Populations of `n` children of a parent: uneven, but summing to the parent's. */
function splitPopulation(total: number, n: number, rng: () => number): number[] {
  return apportion(total, Array.from({ length: n }, () => 0.7 + 0.6 * rng()));
}

/** How many communities each street has (streets in district order). */
function communityCounts(scale: Scale): number[] {
  const streets = districts.flatMap((d) => d.streets.map(() => d));
  if (scale === 'demo') return streets.map(() => 2);
  // Every street has a few communities; the rest follow the district's population.
  const base = 3;
  const extra = apportion(
    city.communities - base * streets.length,
    streets.map((d) => d.population / d.streets.length),
  );
  return extra.map((n) => n + base);
}

function gridCount(scale: Scale, rng: () => number): number {
  if (scale === 'demo') return rng() < 0.5 ? 3 : 4;
  return Math.round(city.gridsPerCommunity * (0.75 + 0.5 * rng()));
}

/** Community names for a street: the real ones first, then generated, unique in the city. */
function communityNamer() {
  const used = new Set(knownCommunities.map((c) => c.zh));
  const generated: { zh: string; en: string }[] = [];
  for (const [f, fe] of communityNameParts.first) {
    for (const [s, se] of communityNameParts.second) if (f !== s) generated.push({ zh: f + s, en: fe + se });
  }
  const rng = rngFor('community-names');
  for (let i = generated.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [generated[i], generated[j]] = [generated[j]!, generated[i]!];
  }
  let next = 0;
  return (district: DistrictFact, street: string, count: number): { zh: string; en: string }[] => {
    const names = knownCommunities.filter((c) => c.district === district.zh && c.street === street).slice(0, count);
    while (names.length < count) {
      const candidate = generated[next++];
      if (!candidate) throw new Error('seed: ran out of community names');
      if (used.has(candidate.zh)) continue;
      used.add(candidate.zh);
      names.push({ ...candidate, district: district.zh, street });
    }
    return names;
  };
}

const pad3 = (n: number) => String(n).padStart(3, '0');

export function buildCityModel(scale: Scale): CityModel {
  const out: TerritorySeed[] = [];
  const add = (t: Omit<TerritorySeed, 'polygon' | 'households'>, ring: Ring) =>
    out.push({ ...t, households: Math.round(t.population / city.householdSize), polygon: toPolygon(ring) });

  const [x0, y0, x1, y1] = city.box;
  const cityRing: Ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  const population = districts.reduce((n, d) => n + d.population, 0);
  add({ code: city.code, parent: null, level: 'city', nameZh: city.zh, nameEn: city.en, population }, cityRing);

  const districtCells = voronoiCells(districts.map((d) => d.centre), cityRing);
  const counts = communityCounts(scale);
  const realCounts = communityCounts('city');
  const nameCommunities = communityNamer();
  let streetIndex = 0;
  districts.forEach((d, di) => {
    add({ code: d.code, parent: city.code, level: 'district', nameZh: d.zh, nameEn: d.en, population: d.population }, districtCells[di]!);
    const rng = rngFor(d.code);
    const streetCells = splitConvex(districtCells[di]!, d.streets.length, rng);
    const streetPops = splitPopulation(d.population, d.streets.length, rng);
    d.streets.forEach((st, si) => {
      const code = d.code + pad3(si + 1);
      add({ code, parent: d.code, level: 'street', nameZh: `${st.zh}街道`, nameEn: `${st.en} Subdistrict`, population: streetPops[si]! }, streetCells[si]!);
      const n = counts[streetIndex]!;
      const share = n / realCounts[streetIndex++]!;
      const names = nameCommunities(d, st.zh, n);
      const srng = rngFor(code + scale);
      const communityCells = splitConvex(streetCells[si]!, n, srng);
      const communityPops = splitPopulation(Math.round(streetPops[si]! * share), n, srng);
      names.forEach((name, ci) => {
        const ccode = code + pad3(ci + 1);
        add({ code: ccode, parent: code, level: 'community', nameZh: `${name.zh}社区`, nameEn: `${name.en} Community`, population: communityPops[ci]! }, communityCells[ci]!);
        const crng = rngFor(ccode + scale);
        const g = gridCount(scale, crng);
        const gridCells = splitConvex(communityCells[ci]!, g, crng);
        const gridPops = splitPopulation(Math.round((communityPops[ci]! * g) / Math.max(g, city.gridsPerCommunity)), g, crng);
        for (let k = 0; k < g; k++) {
          add(
            { code: ccode + pad3(k + 1), parent: ccode, level: 'grid', nameZh: `${name.zh}社区第${k + 1}网格`, nameEn: `${name.en} Grid ${k + 1}`, population: gridPops[k]! },
            gridCells[k]!,
          );
        }
      });
    });
  });
  return { scale, territories: out };
}

/** The model as the GeoJSON FeatureCollection that the territory import takes. */
export function toFeatureCollection(model: CityModel): FeatureCollection<Polygon> {
  return {
    type: 'FeatureCollection',
    features: model.territories.map(
      (t): Feature<Polygon> => ({
        type: 'Feature',
        properties: { code: t.code, parent: t.parent, level: t.level, name: t.nameZh, name_en: t.nameEn, households: t.households, population: t.population },
        geometry: t.polygon,
      }),
    ),
  };
}
