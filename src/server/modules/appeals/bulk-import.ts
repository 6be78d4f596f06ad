// Bulk intake from a CSV or JSON-lines file (other hotline systems' exports, mailbox batches).
// Every row goes through the same intake pipeline on its own, so one bad row does not stop the
// others, and the caller gets a per-row report. A row's client key defaults to a hash of its
// content, so importing the same file twice creates nothing the second time.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { CallContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { channels, staffChannels, urgencies, type Channel, type Urgency } from './appeal-rules.ts';
import { submitAppeal, type IntakeDeps, type IntakeInput } from './intake.service.ts';

export const maxImportRows = 5000;

export interface ImportRowResult {
  row: number;
  status: 'created' | 'existing' | 'rejected';
  code?: string;
  id?: string;
  error?: { code: string; message: string; field?: string | undefined };
}

type Row = Record<string, unknown>;

export function parseImportFile(body: string, format: 'csv' | 'jsonl'): Row[] {
  if (format === 'csv') {
    try {
      return parse(body, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Row[];
    } catch (error) {
      throw new AppError('validation_failed', `The CSV cannot be read: ${(error as Error).message}`);
    }
  }
  return body
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), i }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, i }) => {
      try {
        const value = JSON.parse(line) as unknown;
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        return value as Row;
      } catch (error) {
        throw new AppError('validation_failed', `Line ${i + 1} is not a JSON object: ${(error as Error).message}`, [{ field: `lines/${i + 1}`, message: 'not JSON' }]);
      }
    });
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
const num = (v: unknown) => (str(v) === undefined ? undefined : Number(v));

/** One row → intake input; throws AppError naming the column at fault. */
function toInput(row: Row, fallbackKey: string): IntakeInput {
  const bad = (field: string, message: string) => new AppError('validation_failed', message, [{ field, message }]);
  const text = str(row.text);
  if (!text) throw bad('text', 'text is empty');
  if (text.length > 4000) throw bad('text', 'text is longer than 4,000 characters');
  const channel = (str(row.channel) ?? 'import') as Channel;
  if (!channels.includes(channel) || !staffChannels.includes(channel)) throw bad('channel', `channel must be one of ${staffChannels.join(', ')}`);
  const urgency = (str(row.urgency) ?? 'normal') as Urgency;
  if (!urgencies.includes(urgency)) throw bad('urgency', 'urgency is normal or urgent');
  const lon = num(row.lon);
  const lat = num(row.lat);
  if ((lon !== undefined && !Number.isFinite(lon)) || (lat !== undefined && !Number.isFinite(lat))) throw bad('lon', 'lon and lat must be numbers');
  const phone = str(row.contact_phone ?? row.contactPhone);
  if (phone && !/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/.test(phone)) throw bad('contact_phone', 'contact_phone is not a phone number');
  return {
    text,
    channel,
    urgency,
    categoryCode: str(row.category ?? row.categoryCode) ?? null,
    location: { lon, lat, address: str(row.address), territoryCode: str(row.territory ?? row.territoryCode) },
    contactName: str(row.contact_name ?? row.contactName),
    contactPhone: phone,
    hideIdentity: ['1', 'true', 'yes'].includes(String(row.hide_identity ?? row.hideIdentity ?? '').toLowerCase()),
    clientKey: str(row.key ?? row.clientKey) ?? fallbackKey,
  };
}

export async function importAppeals(deps: IntakeDeps, ctx: CallContext, rows: Row[]): Promise<ImportRowResult[]> {
  if (rows.length === 0) throw new AppError('validation_failed', 'The file has no rows.');
  if (rows.length > maxImportRows) throw new AppError('payload_too_large', `At most ${maxImportRows} rows per file; split it.`);
  const results: ImportRowResult[] = [];
  for (const [i, row] of rows.entries()) {
    const n = i + 1;
    try {
      const key = 'import-' + createHash('sha256').update(JSON.stringify(row)).digest('hex').slice(0, 32);
      const { appeal, created } = await submitAppeal(deps, ctx, toInput(row, key));
      results.push({ row: n, status: created ? 'created' : 'existing', code: appeal.code, id: appeal.id });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'unauthenticated' || error.code === 'forbidden') throw error;
      results.push({ row: n, status: 'rejected', error: { code: error.code, message: error.message, field: error.details?.[0]?.field } });
    }
  }
  return results;
}
