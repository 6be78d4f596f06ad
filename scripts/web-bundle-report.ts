// Prints the gzipped JavaScript each web page loads, from dist/web/.vite/manifest.json: the entry
// chunk and its static imports (what index.html loads and modulepreloads), plus the page's lazy
// chunk and its static imports (what Vite's preload helper fetches with it). Chunks a page only
// imports dynamically (the map, exceljs) load on demand and are counted on their own rows.
// `npm run build` runs it after vite's own report; the browser test checks the resident figure
// against the bytes chromium actually fetches.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const dist = path.resolve('dist/web');
const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>;
const gz = new Map<string, number>();
const size = (file: string) => {
  if (!gz.has(file)) gz.set(file, gzipSync(fs.readFileSync(path.join(dist, file))).length);
  return gz.get(file)!;
};

function closure(keys: string[], seen = new Set<string>()): Set<string> {
  for (const k of keys) {
    if (seen.has(k) || !manifest[k]) continue;
    seen.add(k);
    closure(manifest[k].imports ?? [], seen);
  }
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
const pages: Record<string, string[]> = {
  'resident entry (/resident)': ['features/resident/ReportPage.tsx'],
  '  signed out: + login page': ['features/resident/ReportPage.tsx', 'features/auth/LoginPage.tsx'],
  '  + map pin, on demand': ['features/resident/ReportPage.tsx', 'features/map/TerritoryMap.tsx'],
  'resident: my appeals': ['features/resident/MyAppealsPage.tsx'],
  'resident: track': ['features/resident/TrackPage.tsx'],
  'resident: nearby map': ['features/nearby/NearbyPage.tsx', 'features/map/TerritoryMap.tsx'],
  'workbench: queues': ['features/workbench/QueuesPage.tsx'],
  'workbench: case': ['features/workbench/CasePage.tsx', 'features/map/TerritoryMap.tsx'],
  'dashboard: KPI cards': ['features/dashboard/DashboardPage.tsx'],
  '  + charts, map, tables': ['features/dashboard/DashboardPage.tsx', 'features/dashboard/DashboardDetails.tsx', 'features/map/TerritoryMap.tsx'],
};
for (const keys of Object.values(pages)) for (const k of keys) if (!manifest[k]) throw new Error(`web-bundle-report: ${k} is not in the manifest (renamed?)`);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const entry = closure([entryKey]);
const entryBytes = [...entry].reduce((s, k) => s + size(manifest[k]!.file), 0);
console.log(`\nWeb bundle, gzipped JavaScript per page (entry alone: ${kb(entryBytes)})`);
const rows: [string, number][] = [];
for (const [name, keys] of Object.entries(pages)) {
  const all = closure(keys, new Set(entry));
  rows.push([name, [...all].reduce((s, k) => s + size(manifest[k]!.file), 0)]);
}
for (const [name, bytes] of rows) console.log(`  ${name.padEnd(34)} ${kb(bytes).padStart(10)}`);
// The budget holds for a signed-in resident and for a visitor sent on to the login page.
const resident = Math.max(rows[0]![1], rows[1]![1]);
console.log(resident <= 250 * 1024 ? `  resident entry within the 250 KB budget` : `  resident entry OVER the 250 KB budget`);

