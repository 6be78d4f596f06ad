// Query arguments of the Open311 routes (for validation and the OpenAPI document). Unknown
// arguments (jurisdiction_id, api_key, …) are allowed: the spec lets clients send them.
import { Type } from 'typebox';

const text = (description: string) => Type.Optional(Type.String({ maxLength: 20_000, description }));
const Paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Extension: page number, from 1' })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Extension: requests per page, at most 1,000 (the default)' })),
};
const Window = {
  start_date: text('Earliest requested_datetime (W3C date-time). Default: 90 days before end_date, or before now'),
  end_date: text('Latest requested_datetime (W3C date-time), at most 90 days after start_date. Default: now'),
};
const Common = {
  api_key: text('The API token of an integration; required only to POST requests'),
  jurisdiction_id: text('Ignored: this endpoint serves one jurisdiction'),
};

export const PlainQuery = Type.Object({ ...Common });

export const RequestsQuery = Type.Object({
  ...Common,
  ...Window,
  ...Paging,
  service_request_id: text('Tracking codes, comma separated; overrides every other argument'),
  service_code: text('Service codes, comma separated'),
  status: text('open, closed, or both comma separated'),
  extensions: text('true: add each request’s public timeline as `notes`'),
});

export const RequestQuery = Type.Object({ ...Common, extensions: text('true: add the public timeline as `notes`') });

export const UpdatesQuery = Type.Object({ ...Common, ...Window, ...Paging });

export const FileParams = Type.Object({ file: Type.String({ minLength: 1, maxLength: 200, description: '<id>.json or <id>.xml' }) });
