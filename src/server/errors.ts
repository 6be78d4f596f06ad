// One error catalogue: stable codes, their HTTP status and a default message.
// Services throw AppError; the error handler in app.ts is the only place that turns errors into
// responses, and the web client parses the same { error: { code, message, details } } shape.

export const errorCatalogue = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  bad_request: { status: 400, message: 'The request cannot be understood.' },
  unauthenticated: { status: 401, message: 'Sign in first.' },
  invalid_credentials: { status: 401, message: 'The account or password is wrong.' },
  forbidden: { status: 403, message: 'You may not do this here.' },
  account_disabled: { status: 403, message: 'This account is disabled.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'This conflicts with existing data.' },
  already_exists: { status: 409, message: 'This already exists.' },
  invalid_state: { status: 409, message: 'This action is not possible in the current state.' },
  payload_too_large: { status: 413, message: 'The upload is too large.' },
  unsupported_media_type: { status: 415, message: 'This type of file or body is not accepted.' },
  import_rejected: { status: 422, message: 'The import was rejected; nothing was changed.' },
  out_of_area: { status: 422, message: 'The location is outside every territory served.' },
  unprocessable: { status: 422, message: 'The request is understood but cannot be processed.' },
  rate_limited: { status: 429, message: 'Too many requests; wait and try again.' },
  internal: { status: 500, message: 'Something went wrong on our side. Try again later.' },
  unavailable: { status: 503, message: 'The service is not ready.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorDetail {
  /** The field at fault, as a JSON pointer-ish path (`/phone`, `features/3`). */
  field?: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetail[],
    /** Extra response headers (Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? errorCatalogue[code].message);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found.`);
export const forbidden = (message?: string) => new AppError('forbidden', message);
export const invalid = (field: string, message: string) => new AppError('validation_failed', message, [{ field, message }]);
