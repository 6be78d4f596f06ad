// API errors in words that say what to do: a localised sentence per stable error code, falling
// back to the server's own message (which already says what to fix).
import i18n from 'i18next';
import { ApiError } from './api';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`;
    if (i18n.exists(key)) return i18n.t(key, { message: err.message });
    return i18n.t('errors.generic', { message: err.message });
  }
  return i18n.t('errors.unexpected');
}
