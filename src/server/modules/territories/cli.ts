// File-based import and export of territories, for the command line (src/server/cli.ts) and seeds.
import fs from 'node:fs/promises';
import { systemContext } from '../../context.ts';
import type { Db } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { exportTerritories, importTerritories, type ImportResult } from './territories.service.ts';
import { rejectFile } from './territory-import.ts';

/** Imports a GeoJSON file as the system (no scope limit). Throws AppError import_rejected on any problem. */
export async function importTerritoriesFile(db: Db, file: string): Promise<ImportResult> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new AppError('bad_request', `The file ${file} ${reason}.`);
  }
  let input: unknown;
  try {
    // A byte-order mark is common in files saved by desktop GIS tools.
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw rejectFile(`${file} is not valid JSON (${(error as Error).message})`);
  }
  return importTerritories(db, systemContext(), input, { allowedScopes: null });
}

/** Writes the tree (or the subtree under `rootCode`) as GeoJSON to a file, or to stdout for '-'. */
export async function exportTerritoriesFile(db: Db, file: string, rootCode?: string): Promise<{ total: number }> {
  const collection = await exportTerritories(db, rootCode === undefined ? {} : { rootCode });
  const text = JSON.stringify(collection) + '\n';
  if (file === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
  } else {
    await fs.writeFile(file, text, 'utf8');
  }
  return { total: collection.features.length };
}
