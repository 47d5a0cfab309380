/**
 * Domain errors with stable codes. Core services throw `AppError`s; each API family maps
 * them to its own wire format (problem details natively, `{error, data}` in the rooms API,
 * the seed's `{type, title, detail}` in the V-app API). Anything else is masked as 500.
 */

/** Stable error codes, grouped by the HTTP status the native API gives them. */
export type ErrorCode =
  | 'validation' // 400
  | 'unauthenticated' // 401: missing, invalid, expired or revoked token
  | 'bad_credentials' // 401: wrong username/password
  | 'two_factor_required' // 401: right password, but the second factor is missing or wrong
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'too_large' // 413
  | 'unsupported_media_type' // 415
  | 'unprocessable' // 422: well-formed but refused content (an image over the pixel limit)
  | 'rate_limited' // 429
  | 'internal'; // 500

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  bad_credentials: 401,
  two_factor_required: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
};

/** One rejected field: `name` is the field path (`username`, `deviceInfo.id`), `reason` says why. */
export interface InvalidParameter {
  name: string;
  reason: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: {
      invalidParameters?: InvalidParameter[];
      retryAfterSeconds?: number;
      /** For `conflict`: which field clashed (`username`, `email`). */
      field?: string;
    } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

export const invalid = (params: InvalidParameter[], message = 'The request is not valid.') =>
  new AppError('validation', message, { invalidParameters: params });
export const unauthenticated = (message = 'A valid access token is required.') => new AppError('unauthenticated', message);
export const badCredentials = () => new AppError('bad_credentials', 'Wrong username or password.');
/** The password was right and the account has two-factor sign-in: a `code` (TOTP or recovery code) is needed, or was wrong. */
export const twoFactorRequired = (message = 'This account needs a two-factor code (`code`) besides the password.') =>
  new AppError('two_factor_required', message);
export const forbidden = (message = 'You are not allowed to do that.') => new AppError('forbidden', message);
/** A disabled account gave its right password: 403, so the owner knows why (docs: README "Admin CLI"). */
export const accountDisabled = () => new AppError('forbidden', 'This account is disabled; ask an administrator.');
export const notFound = (what: string) => new AppError('not_found', `${what} not found.`);
export const conflict = (field: string, message: string) => new AppError('conflict', message, { field });
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 'Too many attempts; try again later.', {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });
