// Fixed SQL for hot paths (authentication, intake, case actions and views), run through the
// driver without drizzle's query builder: building a query costs ~1 ms of CPU, several times the
// round trip itself. The text is compiled once; its name lets PostgreSQL keep it parsed and
// planned per connection (PGlite ignores the name). Parameters are written `$name` and bound
// from an object.
import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';
import type { Executor } from './client.ts';

export interface Statement {
  name: string;
  /** The SQL with `$1 … $n`. */
  text: string;
  /** Parameter names in `$n` order. */
  keys: readonly string[];
}

/** Compiles `$name` parameters to `$n` (a name used twice is one parameter). `::casts` are untouched. */
export function defineStatement(name: string, source: string): Statement {
  const keys: string[] = [];
  const text = source.replace(/\$([a-zA-Z_]\w*)/g, (_, key: string) => {
    const index = keys.includes(key) ? keys.indexOf(key) : keys.push(key) - 1;
    return `$${index + 1}`;
  });
  return { name, text, keys };
}

/**
 * Runs a statement on the database or inside a transaction and returns its rows as the driver
 * gives them (snake_case names; timestamps as text, as drizzle's sessions configure the drivers).
 */
export async function runStatement<T>(db: Executor, statement: Statement, params: Record<string, unknown>): Promise<T[]> {
  const values = statement.keys.map((key) => {
    if (!(key in params)) throw new Error(`${statement.name}: no value for $${key}`);
    const value = params[key];
    return value === undefined ? null : value;
  });
  const prepared = db._.session.prepareQuery({ sql: statement.text, params: values }, undefined, statement.name, false);
  const result = (await prepared.execute()) as { rows: T[] };
  return result.rows;
}

/**
 * The table's columns as this code knows them, for a select or returning list (`alias.` before
 * each when given). Named, not `*`: a column that a newer release's migration adds would change
 * the result of `*` under a prepared statement, and PostgreSQL refuses to run it again ("cached
 * plan must not change result type") on every connection of a server still running.
 */
export function columnsOf(table: Table, alias?: string): string {
  return Object.values(getTableColumns(table))
    .map((column) => `${alias ? `${alias}.` : ''}"${column.name}"`)
    .join(', ');
}

/** Maps a driver row of `table` (its columnsOf, or `select *`) to what drizzle's select would return. */
export function rowMapper<T extends Table>(table: T): (row: Record<string, unknown>) => InferSelectModel<T> {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.name, column }));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, column } of columns) {
      const value = row[name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as InferSelectModel<T>;
  };
}

/** True when `error` (or the driver error drizzle wrapped in it) violates the named unique constraint. */
export function violates(error: unknown, constraint: string): boolean {
  for (let e = error as { message?: unknown; constraint?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.constraint === constraint || String(e.message).includes(constraint)) return true;
  }
  return false;
}
