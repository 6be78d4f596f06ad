import { createHash, randomBytes } from 'node:crypto';

/** A random secret in URL-safe base64, with a readable prefix that says what it is. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
