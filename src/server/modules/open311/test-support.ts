// Test support for Open311 (used by the tests only): the GeoReport v2 JSON Schemas, copied into
// test-fixtures/ from the public open311/schema-validation repository, compiled with ajv; and a
// strict reader of the XML this module writes (well-formedness per XML 1.0: one root, nesting,
// names, attribute syntax, character and entity references, characters XML can carry), which
// returns the element tree so tests can compare XML with JSON.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import request from './test-fixtures/request.json' with { type: 'json' };
import requests from './test-fixtures/requests.json' with { type: 'json' };
import service from './test-fixtures/service.json' with { type: 'json' };
import services from './test-fixtures/services.json' with { type: 'json' };
import serviceDefinition from './test-fixtures/service-definition.json' with { type: 'json' };
import swagger from './test-fixtures/swagger.json' with { type: 'json' };

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
// Swagger 2.0's descriptions use a format of their own for ids.
ajv.addFormat('uid', true);
ajv.addSchema(request as object, 'request.json');
ajv.addSchema(service as object, 'service.json');

export const schemas: Record<string, ValidateFunction> = {
  requests: ajv.compile(requests as object),
  request: ajv.getSchema('request.json')!,
  services: ajv.compile(services as object),
  service: ajv.getSchema('service.json')!,
  serviceDefinition: ajv.compile(serviceDefinition as object),
  // The POST and token responses have no file of their own: their Swagger definitions, as arrays.
  // The spec's own POST example answers "account_id": null, which the definition types as a
  // string: null is allowed here as in that example.
  postResponse: ajv.compile({
    type: 'array',
    minItems: 1,
    items: {
      ...swagger.definitions.RequestResponse,
      required: ['service_request_id'],
      properties: { ...swagger.definitions.RequestResponse.properties, account_id: { type: ['string', 'null'] } },
    },
  }),
  tokenResponse: ajv.compile({ type: 'array', minItems: 1, items: { ...swagger.definitions.TokenResponse, required: ['service_request_id', 'token'] } }),
};

/** Throws with ajv's messages when `value` does not match. */
export function assertSchema(name: keyof typeof schemas, value: unknown): void {
  const validate = schemas[name]!;
  if (!validate(value)) throw new Error(`${name}: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${JSON.stringify(value).slice(0, 600)}`);
}

// ---------------------------------------------------------------------------------------------
// A strict XML reader.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

export interface XmlDocument {
  declaration: { version: string; encoding: string | null };
  root: XmlElement;
}

const isXmlChar = (c: number) => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
const nameStart = /[A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]/;
const nameChar = /[A-Za-z0-9_:.\-\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C-\u200D\u203F-\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]/;
const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(text: string): XmlDocument {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML not well-formed at ${i}: ${why} …${JSON.stringify(text.slice(Math.max(0, i - 30), i + 30))}`);
  };
  for (const ch of text) if (!isXmlChar(ch.codePointAt(0)!)) fail(`character U+${ch.codePointAt(0)!.toString(16)} is not allowed`);
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, i)) fail(`expected ${JSON.stringify(s)}`);
    i += s.length;
  };
  const name = (): string => {
    const start = i;
    if (!nameStart.test(text[i] ?? '')) fail('expected a name');
    i++;
    while (i < text.length && nameChar.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const reference = (): string => {
    expect('&');
    const end = text.indexOf(';', i);
    if (end < 0) fail('unterminated reference');
    const ref = text.slice(i, end);
    i = end + 1;
    if (ref.startsWith('#x') || ref.startsWith('#')) {
      const hex = ref.startsWith('#x');
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) fail(`bad character reference &${ref};`);
      const code = parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(code)) fail(`character reference to U+${code.toString(16)}`);
      return String.fromCodePoint(code);
    }
    if (!(ref in entities)) fail(`undeclared entity &${ref};`);
    return entities[ref]!;
  };
  const quoted = (): string => {
    const q = text[i];
    if (q !== '"' && q !== "'") fail('expected a quoted value');
    i++;
    let out = '';
    while (text[i] !== q) {
      if (i >= text.length) fail('unterminated value');
      if (text[i] === '<') fail('< in an attribute value');
      if (text[i] === '&') out += reference();
      else out += text[i++];
    }
    i++;
    return out;
  };
  const misc = () => {
    for (;;) {
      ws();
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0 || text.slice(i + 4, end).includes('--')) fail('bad comment');
        i = end + 3;
      } else if (text.startsWith('<?', i)) {
        i += 2;
        if (name().toLowerCase() === 'xml') fail('misplaced XML declaration');
        const end = text.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    expect('<');
    const el: XmlElement = { name: name(), attributes: {}, children: [] };
    for (;;) {
      const hadSpace = ' \t\r\n'.includes(text[i] ?? '');
      ws();
      if (text.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (text[i] === '>') {
        i++;
        break;
      }
      if (!hadSpace) fail('expected white space before an attribute');
      const attr = name();
      ws();
      expect('=');
      ws();
      if (attr in el.attributes) fail(`duplicate attribute ${attr}`);
      el.attributes[attr] = quoted();
    }
    let textRun = '';
    const flush = () => {
      if (textRun) el.children.push(textRun);
      textRun = '';
    };
    for (;;) {
      if (i >= text.length) fail(`unclosed <${el.name}>`);
      if (text.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        ws();
        expect('>');
        flush();
        return el;
      }
      if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        textRun += text.slice(i + 9, end);
        i = end + 3;
      } else if (text.startsWith('<!--', i) || text.startsWith('<?', i)) {
        misc();
      } else if (text[i] === '<') {
        flush();
        el.children.push(element());
      } else if (text[i] === '&') {
        textRun += reference();
      } else {
        if (text.startsWith(']]>', i)) fail(']]> in character data');
        textRun += text[i++];
      }
    }
  };

  // XMLDecl: <?xml version="1.x" (encoding="…")? (standalone="…")? ?>
  expect('<?xml');
  const declaration: XmlDocument['declaration'] = { version: '', encoding: null };
  for (;;) {
    ws();
    if (text.startsWith('?>', i)) {
      i += 2;
      break;
    }
    const key = name();
    ws();
    expect('=');
    ws();
    const value = quoted();
    if (key === 'version') declaration.version = value;
    else if (key === 'encoding') declaration.encoding = value;
    else if (key !== 'standalone') fail(`unknown declaration field ${key}`);
  }
  if (!/^1\.\d+$/.test(declaration.version)) fail('the declaration needs version="1.x"');
  misc();
  const root = element();
  misc();
  if (i !== text.length) fail('content after the root element');
  return { declaration, root };
}

/** Every element name and attribute in the tree that declares or uses a namespace. */
export function namespaceUses(el: XmlElement): string[] {
  const here = [...(el.name.includes(':') ? [el.name] : []), ...Object.keys(el.attributes).filter((a) => a === 'xmlns' || a.startsWith('xmlns:') || a.includes(':'))];
  return [...here, ...el.children.flatMap((c) => (typeof c === 'string' ? [] : namespaceUses(c)))];
}

/** Elements that hold a list (the spec's JSON arrays); their children are the items. */
const listElements = new Set(['services', 'service_requests', 'service_request_updates', 'attributes', 'values', 'notes', 'endpoints', 'formats', 'errors']);

export type Plain = string | Plain[] | { [key: string]: Plain };

/** The JSON a document stands for, by the spec's mapping; every leaf is its text. */
export function xmlToPlain(el: XmlElement): Plain {
  const elements = el.children.filter((c): c is XmlElement => typeof c !== 'string');
  if (listElements.has(el.name)) return elements.map(xmlToPlain);
  if (elements.length === 0) return el.children.join('');
  const out: Record<string, Plain> = {};
  for (const child of elements) {
    if (child.name in out) throw new Error(`<${child.name}> repeats inside <${el.name}>, which is not a list`);
    out[child.name] = xmlToPlain(child);
  }
  return out;
}

/** JSON with every leaf as the text XML would carry: null → '', numbers and booleans as written. */
export function jsonToPlain(value: unknown): Plain {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(jsonToPlain);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonToPlain(v)]));
  return String(value);
}

/** The element names of a tree, nested: compares a document's shape with the spec's examples. */
export function skeleton(el: XmlElement): string[] {
  const elements = el.children.filter((c): c is XmlElement => typeof c !== 'string');
  return [el.name, ...elements.flatMap((c) => skeleton(c).map((s) => `${el.name}/${s}`))];
}
