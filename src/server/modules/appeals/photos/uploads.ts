// Multipart uploads for the appeal routes: `await registerUploads(app)` once in buildApp.
// @fastify/multipart streams parts through busboy; a file over the limit fails with a 413
// (RequestFileTooLargeError) when read, as do too many files or fields, and the app's error
// handler turns those into payload_too_large. Routes read parts with `request.parts()` and
// `await part.toBuffer()`, then hand the buffers to savePhotos (which checks types by content).
import multipart from '@fastify/multipart';
import type { App } from '../../../app.ts';
import { MAX_PHOTO_BYTES } from './photo.ts';

/** Up to 9 photos per appeal or reply. */
export const MAX_PHOTOS = 9;

export const uploadLimits = {
  fileSize: MAX_PHOTO_BYTES,
  files: MAX_PHOTOS,
  /** Text fields of an appeal: text (≤ 4,000 characters), contact, location … */
  fields: 50,
  fieldSize: 64 * 1024,
  parts: MAX_PHOTOS + 50,
} as const;

export async function registerUploads(app: App): Promise<void> {
  await app.register(multipart, { limits: uploadLimits, throwFileSizeLimit: true });
}
