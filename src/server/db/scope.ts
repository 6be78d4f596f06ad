import { sql, type SQL, type AnyColumn } from 'drizzle-orm';

/** `column` lies at or below one of the territory paths (a materialised-path prefix query). */
export function withinPaths(column: AnyColumn | SQL, paths: readonly string[]): SQL {
  if (paths.length === 0) return sql`false`;
  const parts = paths.map((p) => sql`(${column} = ${p} or ${column} like ${escapeLike(p) + '.%'})`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => '\\' + c);
}
