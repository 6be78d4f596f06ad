// Multipart forms (a report or a reply with photos): text fields plus up to 9 photo files.
// The JSON field is validated against the same TypeBox schema as the JSON route.
import type { FastifyRequest } from 'fastify';
import type { TSchema, Static } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../../errors.ts';

export interface FormData<T> {
  fields: T;
  files: Buffer[];
}

/** Reads `data` (a JSON object of fields) or plain fields, and every file part as a photo. */
export async function readForm<S extends TSchema>(request: FastifyRequest, schema: S): Promise<FormData<Static<S>>> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Send multipart/form-data with the fields and the photos.');
  let fields: Record<string, unknown> = {};
  const files: Buffer[] = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') files.push(await part.toBuffer());
    else if (part.fieldname === 'data') {
      try {
        fields = { ...fields, ...(JSON.parse(String(part.value)) as Record<string, unknown>) };
      } catch {
        throw new AppError('validation_failed', 'The data field is not JSON.', [{ field: '/data', message: 'not JSON' }]);
      }
    } else fields[part.fieldname] = part.value;
  }
  if (!Value.Check(schema, fields)) {
    const [first] = [...Value.Errors(schema, fields)];
    const field = first?.instancePath || '/';
    throw new AppError('validation_failed', `The request is not valid (${field}): ${first?.message ?? 'invalid'}`, [{ field, message: first?.message ?? 'invalid' }]);
  }
  return { fields: fields as Static<S>, files };
}
