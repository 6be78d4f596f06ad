// Change counters in `meta`, so that every app process can tell cheaply that data it keeps in
// memory (the territory index, the catalogue, the unit directory, credentials, the calendar,
// the classifier's model) changed and must be read again. One mechanism for all of them:
// VersionWatch.
import { eq, sql } from 'drizzle-orm';
import type { Executor } from './client.ts';
import { meta } from './schema.ts';

/** A counter rather than a timestamp: two changes in the same millisecond still differ. */
export async function bumpVersion(db: Executor, key: string): Promise<void> {
  await db
    .insert(meta)
    .values({ key, value: 1 })
    .onConflictDoUpdate({
      target: meta.key,
      set: { value: sql`to_jsonb(coalesce((${meta.value} #>> '{}')::bigint, 0) + 1)`, updatedAt: sql`now()` },
    });
}

export async function readVersion(db: Executor, key: string): Promise<number> {
  const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, key));
  return typeof row?.value === 'number' ? row.value : 0;
}

export interface WatchOptions {
  /** The clock (tests move it). */
  now?: number;
  /** Read the counter now, by a read that begins after this call, whatever the freshness. */
  force?: boolean;
}

/** The counter of one database as this process last read it. */
interface CounterRead {
  version: number;
  checkedAt: number;
  /** The watch's generation when the read began. */
  generation: number;
  /** Reads begun, and the number of the one whose answer is held. */
  started: number;
  held: number;
  reading?: Promise<void> | undefined;
}

/**
 * What this process knows of one change counter. Data kept in memory holds while the counter
 * stands still. Another process's change is seen within `freshnessMs`, the longest this process
 * answers from memory; its own changes are seen at once (changed()). One read at a time per
 * database, shared by the callers that ask meanwhile.
 */
export class VersionWatch {
  /** Moved by changed(): what was read or built before it is not trusted. */
  private generation = 0;
  private readonly reads = new WeakMap<Executor, CounterRead>();
  private readonly forgets: (() => void)[] = [];

  constructor(
    private readonly key: string,
    private readonly freshnessMs: number,
  ) {}

  /** Moves the counter: call it in the transaction that changes the data. */
  bump(db: Executor): Promise<void> {
    return bumpVersion(db, this.key);
  }

  /** Call it after this process's change has committed: it drops what it holds and reads again. */
  changed(): void {
    this.generation++;
    for (const forget of this.forgets) forget();
  }

  /** The counter: from memory while fresh, else read (after changed(), always read). */
  async version(db: Executor, options: WatchOptions = {}): Promise<number> {
    const now = options.now ?? Date.now();
    let read = this.reads.get(db);
    if (!read) this.reads.set(db, (read = { version: -1, checkedAt: 0, generation: -1, started: 0, held: 0 }));
    if (!options.force && read.generation === this.generation && now - read.checkedAt < this.freshnessMs) return read.version;
    // A read under way may have begun before this call (forced) or before this process's latest change: then read again.
    const after = options.force ? read.started : -1;
    for (;;) {
      if (!read.reading) {
        const r = read;
        const generation = this.generation;
        const number = ++r.started;
        r.reading = readVersion(db, this.key)
          .then((version) => void Object.assign(r, { version, checkedAt: now, generation, held: number }))
          .finally(() => (r.reading = undefined));
      }
      await read.reading;
      if (read.held > after && read.generation === this.generation) return read.version;
    }
  }

  /**
   * A value built from the database (a directory, an index, a calendar), per database: kept while
   * the counter stands still, built again when it moves or this process changed the data. `build`
   * reads after the counter was read, so a change committed in between is caught by the next
   * look. Callers at the same time share one build; a failed build is not kept.
   */
  cache<T, D extends Executor = Executor>(build: (db: D) => Promise<T>): (db: D, options?: WatchOptions) => Promise<T> {
    let held = new WeakMap<D, { version: number; value: Promise<T> }>();
    this.forgets.push(() => (held = new WeakMap()));
    return async (db, options) => {
      const version = await this.version(db, options);
      let entry = held.get(db);
      // Versions only grow: a caller that read an older one than the entry's keeps the entry.
      if (!entry || entry.version < version) {
        const map = held;
        const made = { version, value: build(db) };
        map.set(db, (entry = made));
        made.value.catch(() => {
          if (map.get(db) === made) map.delete(db);
        });
      }
      return entry.value;
    };
  }
}
