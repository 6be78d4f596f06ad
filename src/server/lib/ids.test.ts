import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('is a version-7 UUID of the RFC 9562 variant that PostgreSQL reads', () => {
    const id = uuidv7();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('starts with the time in milliseconds, so later ids sort after earlier ones', () => {
    const at = Date.UTC(2026, 10, 22, 8, 30);
    assert.equal(parseInt(uuidv7(at).replace(/-/g, '').slice(0, 12), 16), at);
    const ids = [uuidv7(at), uuidv7(at + 1), uuidv7(at + 1000), uuidv7(at + 86_400_000)];
    assert.deepEqual([...ids].sort(), ids);
  });

  it('differs between ids made in the same millisecond', () => {
    const at = Date.now();
    assert.equal(new Set(Array.from({ length: 1000 }, () => uuidv7(at))).size, 1000);
  });
});
