/**
 * The engine's error vocabulary. The HTTP layer maps each code to a status and
 * the JSON body `{ error: { code, message, details } }`.
 */
export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "payload_too_large"
  | "reserved_namespace"
  | "identity_required"
  | "internal";

const statusByCode: Record<ErrorCode, number> = {
  invalid_request: 400,
  identity_required: 400,
  reserved_namespace: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
};

export interface FieldIssue {
  field: string;
  message: string;
}

export class HogsendError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { issues?: FieldIssue[]; [key: string]: unknown },
  ) {
    super(message);
    this.name = "HogsendError";
    this.status = statusByCode[code];
  }
}

/** A 400 naming the offending field. */
export function invalidField(field: string, message: string): HogsendError {
  return new HogsendError("invalid_request", `${field}: ${message}`, { issues: [{ field, message }] });
}
