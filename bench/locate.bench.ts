// Point → grid lookups, the first step of routing every appeal: an index over the city-scale
// grid set (~15,000 grids), then ≥1,000,000 locate() calls on random points inside grids, on
// one core (locate is synchronous). Target: 100,000 lookups a second.
import { buildCityModel } from '../src/server/seed/city.ts';
import { mulberry32 } from '../src/server/lib/random.ts';
import { openRing, randomPointIn, ringBounds } from '../src/server/seed/geometry.ts';
import { seedCity } from '../src/server/seed/seed.ts';
import { TerritoryIndex } from '../src/server/modules/territories/territory-index.ts';
import { freshPglite, timed, type BenchSection } from './lib.ts';

const lookups = 1_000_000;

export const section: BenchSection = {
  name: 'locate',
  description: 'TerritoryIndex.locate over the city-scale grid set, one core',
  async run(log) {
    const database = await freshPglite();
    try {
      const { ms: seedMs } = await timed(() => seedCity({ db: database.db, scale: 'city' }));
      log(`seeded the city scale in ${seedMs} ms`);
      const index = new TerritoryIndex(database.db);
      const { ms: buildMs } = await timed(() => index.refresh());
      const grids = buildCityModel('city').territories.filter((t) => t.level === 'grid');
      log(`index over ${index.size} polygons (${grids.length} grids) built in ${buildMs} ms`);

      // Points are drawn before timing: a grid at random, then a point at random inside it.
      const rng = mulberry32(2026);
      const xs = new Float64Array(lookups);
      const ys = new Float64Array(lookups);
      const expected = new Int32Array(lookups);
      const rings = grids.map((g) => openRing(g.polygon.coordinates[0]!));
      const bounds = rings.map((r) => ringBounds(r));
      for (let i = 0; i < lookups; i++) {
        const k = Math.floor(rng() * grids.length);
        [xs[i], ys[i]] = randomPointIn(rings[k]!, rng, bounds[k]);
        expected[i] = k;
      }
      for (let i = 0; i < 20_000; i++) index.locate(xs[i]!, ys[i]!); // warm up the JIT

      let found = 0;
      let right = 0;
      const started = process.hrtime.bigint();
      for (let i = 0; i < lookups; i++) {
        const hit = index.locate(xs[i]!, ys[i]!);
        if (hit?.territory.level === 'grid') {
          found++;
          if (hit.territory.code === grids[expected[i]!]!.code) right++;
        }
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rate = lookups / seconds;
      log(`${lookups.toLocaleString('en-US')} lookups in ${seconds.toFixed(2)} s`);
      return [
        { name: 'grids indexed', value: grids.length, unit: 'grids' },
        { name: 'index build', value: buildMs, unit: 'ms' },
        { name: 'locate throughput (1 core)', value: Math.round(rate), unit: 'lookups/s', target: { kind: 'min', value: 100_000 } },
        { name: 'mean locate latency', value: Math.round((seconds / lookups) * 1e9) / 1000, unit: 'µs' },
        { name: 'points found in a grid', value: Math.round((found / lookups) * 10000) / 100, unit: '%', target: { kind: 'min', value: 99.9 } },
        { name: 'points found in the right grid', value: Math.round((right / lookups) * 10000) / 100, unit: '%', target: { kind: 'min', value: 99.9 } },
      ];
    } finally {
      await database.close();
    }
  },
};
