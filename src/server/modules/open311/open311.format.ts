// Open311 GeoReport v2 output: one object model rendered as JSON or as XML. The XML follows the
// spec's mapping (the "Spark convention"): a JSON array is a wrapper element holding one element
// per item, named in the singular (`services` → `service`, `notes` → `note`); null is an empty
// element. No namespace, no attributes; UTF-8 with the XML declaration, as the spec requires.
// Element names are ours (never taken from input); text is escaped, and the characters XML 1.0
// cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped.

export type Format = 'json' | 'xml';
export type Open311Value = string | number | boolean | null | undefined | Open311Value[] | { [key: string]: Open311Value };

export const contentTypes: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** Element names of array items, by the name of the array. */
const itemNames: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  attributes: 'attribute',
  values: 'value',
  notes: 'note',
  endpoints: 'endpoint',
  formats: 'format',
  errors: 'error',
};

const itemName = (arrayName: string) => itemNames[arrayName] ?? (arrayName.endsWith('s') ? arrayName.slice(0, -1) : `${arrayName}_item`);

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const notXmlChar = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Drops the characters XML cannot carry, so JSON and XML say the same. */
export function xmlSafe(value: string): string {
  return value.replace(notXmlChar, '');
}

export function escapeXmlText(value: string): string {
  return xmlSafe(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function scalar(value: string | number | boolean): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return escapeXmlText(String(value));
}

function element(name: string, value: Open311Value, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  if (value === undefined) return;
  if (value === null || value === '') {
    out.push(`${pad}<${name}/>`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${pad}<${name}/>`);
      return;
    }
    out.push(`${pad}<${name}>`);
    for (const item of value) element(itemName(name), item, depth + 1, out);
    out.push(`${pad}</${name}>`);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      out.push(`${pad}<${name}/>`);
      return;
    }
    out.push(`${pad}<${name}>`);
    for (const [k, v] of entries) element(k, v, depth + 1, out);
    out.push(`${pad}</${name}>`);
  } else {
    out.push(`${pad}<${name}>${scalar(value)}</${name}>`);
  }
}

/** An XML document whose root element is `root`; an array root holds one element per item. */
export function toXml(root: string, value: Open311Value): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  element(root, value, 0, out);
  return out.join('\n') + '\n';
}

/** The body for a response: JSON as is, or XML under `root`. */
export function render(format: Format, root: string, value: Open311Value): string {
  return format === 'json' ? JSON.stringify(value) : toXml(root, value);
}

export interface Open311Error {
  code: number;
  description: string;
}

export function renderErrors(format: Format, errors: Open311Error[]): string {
  return render(format, 'errors', errors as unknown as Open311Value);
}

/** The format a URL asks for: its path ends in `.xml` or `.json`; JSON when neither. */
export function formatOfUrl(url: string): Format {
  const path = url.split('?')[0] ?? '';
  return path.endsWith('.xml') ? 'xml' : 'json';
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** W3C/ISO 8601 date-time in China Standard Time, with its offset: 2026-11-23T10:00:00+08:00. */
export function w3cDateTime(instant: Date): string;
export function w3cDateTime(instant: Date | null | undefined): string | null;
export function w3cDateTime(instant: Date | null | undefined): string | null {
  if (!instant) return null;
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}
