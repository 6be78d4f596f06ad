// `npm run bench [-- section …]`: runs the benchmark sections (every `bench/*.bench.ts` file
// exporting `section`), prints a table and merges the figures into bench/results/latest.json
// with the machine they were measured on. Add a section by adding a file; nothing else changes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineInfo, met, type BenchSection, type Figure } from './lib.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(here, 'results', 'latest.json');

async function loadSections(): Promise<BenchSection[]> {
  const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const sections: BenchSection[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { section?: BenchSection };
    if (!mod.section) throw new Error(`${file} does not export a section`);
    sections.push(mod.section);
  }
  return sections;
}

function formatValue(f: Figure): string {
  return f.value >= 1000 ? Math.round(f.value).toLocaleString('en-US') : String(Math.round(f.value * 100) / 100);
}

function printTable(rows: { section: string; figure: Figure }[]): void {
  const lines = rows.map(({ section, figure }) => {
    const ok = met(figure);
    const target = figure.target ? `${figure.target.kind === 'min' ? '≥' : '≤'} ${figure.target.value.toLocaleString('en-US')}` : '';
    return [section, figure.name, formatValue(figure), figure.unit, target, ok === null ? '' : ok ? 'met' : 'MISSED'];
  });
  const header = ['section', 'figure', 'value', 'unit', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log('\n' + show(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = await loadSections();
const unknown = wanted.filter((w) => !all.some((s) => s.name === w));
if (unknown.length > 0) {
  console.error(`Unknown section ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? all.filter((s) => wanted.includes(s.name)) : all;
const machine = machineInfo();
console.log(`${machine.cpu} · ${machine.cores} cores · ${machine.memoryGb} GB · node ${machine.node} · ${machine.commit ?? 'no git'}`);

const rows: { section: string; figure: Figure }[] = [];
const previous = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { sections?: Record<string, unknown> }) : {};
const sections: Record<string, unknown> = { ...(previous.sections ?? {}) };
let failed = false;
for (const section of chosen) {
  console.log(`\n▶ ${section.name}: ${section.description}`);
  const started = performance.now();
  try {
    const figures = await section.run((line) => console.log(`  ${line}`));
    for (const figure of figures) rows.push({ section: section.name, figure });
    sections[section.name] = {
      description: section.description,
      machine,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      figures: figures.map((f) => ({ ...f, met: met(f) })),
    };
  } catch (err) {
    failed = true;
    console.error(`  ${section.name} failed:`, err);
  }
}
printTable(rows);
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(resultsFile, JSON.stringify({ machine, command: `npm run bench${wanted.length ? ` -- ${wanted.join(' ')}` : ''}`, sections }, null, 2) + '\n');
console.log(`\nResults written to ${path.relative(process.cwd(), resultsFile)}`);
if (failed) process.exit(1);
