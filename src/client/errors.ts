/**
 * Turns the server's `Status` answers back into kubeling's error classes, so callers
 * test `instanceof NotFoundError` or `err.code` exactly as the server threw them.
 */
import {
  AlreadyExistsError, BadRequestError, ConflictError, ForbiddenError, GoneError, InternalError, InvalidError,
  KubelingError, MethodNotAllowedError, NotAcceptableError, NotFoundError, NotImplementedError,
  RequestEntityTooLargeError, ServiceUnavailableError, TimeoutError, UnauthorizedError,
  UnsupportedMediaTypeError, type Status, type StatusDetails,
} from '../api/errors.js';

type ErrorCtor = new (message: string, details?: StatusDetails, options?: { cause?: unknown }) => KubelingError;

/** The server could not be reached, or the connection broke mid-answer. */
export class ConnectionError extends ServiceUnavailableError {
  override readonly code = 'KL_CONNECTION';
}

/** 429 Too Many Requests (no server-side class exists for it). */
export class TooManyRequestsError extends KubelingError {
  override readonly code = 'KL_TOO_MANY_REQUESTS';
  override readonly httpStatus = 429;
  override readonly reason = 'TooManyRequests';
}

const BY_REASON: Record<string, ErrorCtor> = {
  NotFound: NotFoundError, AlreadyExists: AlreadyExistsError, Conflict: ConflictError, Invalid: InvalidError,
  BadRequest: BadRequestError, Unauthorized: UnauthorizedError, Forbidden: ForbiddenError, Expired: GoneError,
  Gone: GoneError, MethodNotAllowed: MethodNotAllowedError, UnsupportedMediaType: UnsupportedMediaTypeError,
  NotAcceptable: NotAcceptableError, RequestEntityTooLarge: RequestEntityTooLargeError, InternalError,
  NotImplemented: NotImplementedError, Timeout: TimeoutError, ServerTimeout: TimeoutError,
  ServiceUnavailable: ServiceUnavailableError, TooManyRequests: TooManyRequestsError,
};

const BY_CODE: Record<number, ErrorCtor> = {
  400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError, 405: MethodNotAllowedError,
  406: NotAcceptableError, 409: ConflictError, 410: GoneError, 413: RequestEntityTooLargeError,
  415: UnsupportedMediaTypeError, 422: InvalidError, 429: TooManyRequestsError, 500: InternalError,
  501: NotImplementedError, 503: ServiceUnavailableError, 504: TimeoutError,
};

/** True for a decoded `kind: Status` failure. */
export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** Maps a Status (or, lacking one, the HTTP code and body text) to a kubeling error. */
export function errorFromStatus(httpCode: number, body: unknown): KubelingError {
  if (isStatus(body)) {
    const Ctor = (body.reason && BY_REASON[body.reason]) || BY_CODE[body.code || httpCode] || InternalError;
    return new Ctor(body.message ?? body.reason ?? `HTTP ${httpCode}`, body.details);
  }
  const Ctor = BY_CODE[httpCode] ?? InternalError;
  const text = typeof body === 'string' ? body.trim().slice(0, 500) : '';
  return new Ctor(text || `the server responded with HTTP ${httpCode}`);
}
