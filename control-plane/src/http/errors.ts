import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { HogsendError } from "../errors.js";
import type { Logger } from "../log.js";

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/** Map every error to `{ error: { code, message, details } }`; a 500 never carries a stack or a secret. */
export function handleError(log: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof HogsendError) {
      if (error.code === "rate_limited" && error.details?.retryAfter) c.header("Retry-After", String(error.details.retryAfter));
      return c.json(errorBody(error.code, error.message, error.details), error.status as never);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = status === 413 ? "payload_too_large" : status === 404 ? "not_found" : "invalid_request";
      return c.json(errorBody(code, error.message || "request refused"), status);
    }
    log.error("unhandled error", { path: c.req.path, error: error?.message });
    return c.json(errorBody("internal", "internal error"), 500);
  };
}
