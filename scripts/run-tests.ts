// `npm test`: prepares one migrated template database, then runs every *.test.ts file with
// node's test runner, each file starting from its own fresh copy of the template.
//   - default: embedded PGlite; the template is a data-dir dump that each file loads (~0.4 s).
//   - TEST_DATABASE_URL=postgres://…: a template database on that server; each file creates
//     its own database from it (CREATE DATABASE … TEMPLATE …).
// Arguments narrow the files: `npm test -- territories` runs the files whose path contains it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareTemplate } from '../test/helpers/template.ts';

function findTests(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const browser = process.argv.includes('--browser');
const roots = browser ? ['test/browser'] : ['src', 'test'];
const files = roots
  .filter((r) => fs.existsSync(r))
  .flatMap((r) => findTests(r))
  .filter((f) => browser || !f.startsWith(path.join('test', 'browser')))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('No test files match.');
  process.exit(1);
}

const template = await prepareTemplate();
const env = { ...process.env, NODE_ENV: 'test', ...template.env };
const concurrency = Math.max(2, os.availableParallelism());
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
await template.remove();
process.exit(result.status ?? 1);
