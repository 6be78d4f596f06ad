// Time-ordered ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits.
// Rows written one after another get neighbouring keys, so the primary key and the indexes that
// carry the id (a case's timeline events, its handling units) grow at their right-hand end
// instead of touching a random page of a large index for every insert. The id tells when it was
// made, which the row says anyway.
import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KB at a time (one call into the system's generator per 409 ids).
const pool = Buffer.alloc(4096);
let used = pool.length;

export function uuidv7(now = Date.now()): string {
  if (used + 10 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += 10;
  const time = now.toString(16).padStart(12, '0');
  const hex = pool.toString('hex', at, used);
  // version 7 in the 13th hex digit; the variant (10xx) in the 17th
  const variant = ((pool[at + 2]! & 0x3f) | 0x80).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex.slice(1, 4)}-${variant}${hex.slice(6, 8)}-${hex.slice(8, 20)}`;
}
