/**
 * The one error base of kubeling. Every fault is thrown as a subclass with a stable
 * `code`; the HTTP boundary turns it into a Kubernetes `Status` (see `toStatus`).
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class KubelingError extends Error {
  /** Stable machine-readable code, e.g. KL_NOT_FOUND. */
  readonly code: string = 'KL_INTERNAL';
  /** HTTP status code this maps to. */
  readonly httpStatus: number = 500;
  /** Kubernetes Status reason. */
  readonly reason: string = 'InternalError';
  details?: StatusDetails;
  constructor(message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
  toStatus(): Status {
    const s: Status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.httpStatus,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

function errClass(code: string, httpStatus: number, reason: string) {
  return class extends KubelingError {
    override readonly code = code;
    override readonly httpStatus = httpStatus;
    override readonly reason = reason;
  };
}

export class NotFoundError extends errClass('KL_NOT_FOUND', 404, 'NotFound') {}
export class AlreadyExistsError extends errClass('KL_ALREADY_EXISTS', 409, 'AlreadyExists') {}
export class ConflictError extends errClass('KL_CONFLICT', 409, 'Conflict') {}
export class InvalidError extends errClass('KL_INVALID', 422, 'Invalid') {}
export class BadRequestError extends errClass('KL_BAD_REQUEST', 400, 'BadRequest') {}
export class UnauthorizedError extends errClass('KL_UNAUTHORIZED', 401, 'Unauthorized') {}
export class ForbiddenError extends errClass('KL_FORBIDDEN', 403, 'Forbidden') {}
export class GoneError extends errClass('KL_GONE', 410, 'Expired') {}
export class MethodNotAllowedError extends errClass('KL_METHOD_NOT_ALLOWED', 405, 'MethodNotAllowed') {}
export class UnsupportedMediaTypeError extends errClass('KL_UNSUPPORTED_MEDIA_TYPE', 415, 'UnsupportedMediaType') {}
export class NotAcceptableError extends errClass('KL_NOT_ACCEPTABLE', 406, 'NotAcceptable') {}
export class RequestEntityTooLargeError extends errClass('KL_TOO_LARGE', 413, 'RequestEntityTooLarge') {}
export class InternalError extends errClass('KL_INTERNAL', 500, 'InternalError') {}
export class NotImplementedError extends errClass('KL_NOT_IMPLEMENTED', 501, 'NotImplemented') {}
export class TimeoutError extends errClass('KL_TIMEOUT', 504, 'Timeout') {}
export class ServiceUnavailableError extends errClass('KL_UNAVAILABLE', 503, 'ServiceUnavailable') {}

/** Builds a 422 Invalid like kube-apiserver: `The Pod "p1" is invalid: <field>: <msg>, ...`. */
export function invalid(kind: string, name: string, causes: FieldError[], group = ''): InvalidError {
  const msgs = causes.map(c => c.toString());
  const message = `${kind} "${name}" is invalid: ` + (msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);
  return new InvalidError(message.replace(/^/, 'The '), {
    name, group: group || undefined, kind,
    causes: causes.map(c => ({ reason: c.type, message: c.detailMessage(), field: c.field })),
  });
}

/** A field error, shaped like k8s.io/apimachinery/pkg/util/validation/field.Error. */
export class FieldError {
  constructor(
    readonly type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
      | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'InternalError' | 'FieldValueTypeInvalid',
    readonly field: string,
    readonly value: unknown,
    readonly detail: string,
  ) {}
  detailMessage(): string {
    switch (this.type) {
      case 'FieldValueRequired': return this.detail ? `Required value: ${this.detail}` : 'Required value';
      case 'FieldValueForbidden': return this.detail ? `Forbidden: ${this.detail}` : 'Forbidden';
      case 'FieldValueDuplicate': return `Duplicate value: ${fmtValue(this.value)}`;
      case 'FieldValueNotSupported': return `Unsupported value: ${fmtValue(this.value)}${this.detail ? ': ' + this.detail : ''}`;
      case 'FieldValueTooLong': return `Too long: ${this.detail}`;
      case 'FieldValueTooMany': return `Too many: ${this.detail}`;
      case 'FieldValueTypeInvalid': return `Invalid value: ${fmtValue(this.value)}: ${this.detail}`;
      case 'InternalError': return `Internal error: ${this.detail}`;
      default: return `Invalid value: ${fmtValue(this.value)}${this.detail ? ': ' + this.detail : ''}`;
    }
  }
  toString(): string { return `${this.field}: ${this.detailMessage()}`; }
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return '""';
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

export const required = (field: string, detail = '') => new FieldError('FieldValueRequired', field, '', detail);
export const invalidValue = (field: string, value: unknown, detail: string) => new FieldError('FieldValueInvalid', field, value, detail);
export const notSupported = (field: string, value: unknown, valid: string[]) =>
  new FieldError('FieldValueNotSupported', field, value, 'supported values: ' + valid.map(v => JSON.stringify(v)).join(', '));
export const duplicate = (field: string, value: unknown) => new FieldError('FieldValueDuplicate', field, value, '');
export const forbidden = (field: string, detail: string) => new FieldError('FieldValueForbidden', field, '', detail);
