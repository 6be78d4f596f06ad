// The labelled corpus shipped with the product (src/server/data/classifier, see its README) and
// the label set: every leaf category of the taxonomy.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import taxonomy from '../../data/taxonomy.json' with { type: 'json' };
import type { Example } from './model.ts';

export const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/classifier');

export interface CorpusExample extends Example {
  urgent?: boolean;
}

const cache = new Map<string, CorpusExample[]>();

/** A JSON-lines file of the corpus: {"text", "category", "urgent"?, "group"?} per line. */
export function readCorpus(file: 'train.jsonl' | 'heldout.jsonl'): CorpusExample[] {
  let lines = cache.get(file);
  if (!lines) {
    lines = fs
      .readFileSync(path.join(corpusDir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => {
        const row = JSON.parse(l) as { text: string; category: string; urgent?: boolean; group?: string };
        // Composed statements (a + b from corpus-slots.ts) are easy; they never stand for validation.
        return { text: row.text, category: row.category, urgent: row.urgent ?? false, group: row.group, fitOnly: row.group?.includes('/composed/') ?? false };
      });
    cache.set(file, lines);
  }
  return lines;
}

/** Leaf category codes of the shipped taxonomy, in its order. */
export function taxonomyLeaves(): string[] {
  return taxonomy.categories.flatMap((group) => group.children.map((leaf) => leaf.code));
}
