import type { MiddlewareHandler } from "hono";
import type { Engine } from "../engine.js";
import { HogsendError } from "../errors.js";
import { allows, findApiKey, type Scope } from "../auth/api-keys.js";
import { RateLimiter } from "./rate-limit.js";

export interface AuthVariables {
  apiKey: { id: string; scope: Scope; name: string };
}

const CACHE_MS = 5_000;

/**
 * Bearer API keys (`Authorization: Bearer hsk_…`). No key → 401, wrong scope → 403, over the per-key
 * rate → 429 with Retry-After. Verified keys are cached for a few seconds so ingest does not pay a lookup.
 */
export function createAuth(engine: Engine) {
  const cache = new Map<string, { key: AuthVariables["apiKey"] | null; until: number }>();
  const limiter = new RateLimiter(engine.config.RATE_LIMIT_PER_SECOND, () => performance.now());
  return function requireScope(scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
    return async (c, next) => {
      const header = c.req.header("authorization") ?? "";
      const token = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
      if (!token) throw new HogsendError("unauthorized", "missing API key: send Authorization: Bearer hsk_…");
      const t = performance.now();
      let entry = cache.get(token);
      if (!entry || entry.until < t) {
        const row = token.startsWith("hsk_") ? await findApiKey(engine.sql, token) : undefined;
        entry = { key: row ? { id: row.id, scope: row.scope, name: row.name } : null, until: t + CACHE_MS };
        cache.set(token, entry);
        if (cache.size > 10_000) cache.clear();
      }
      if (!entry.key) throw new HogsendError("unauthorized", "invalid or revoked API key");
      if (!allows(entry.key.scope, scope)) throw new HogsendError("forbidden", `this API key's scope (${entry.key.scope}) cannot use this route (needs ${scope})`);
      const wait = limiter.take(entry.key.id);
      if (wait > 0) throw new HogsendError("rate_limited", "rate limit exceeded for this API key", { retryAfter: wait });
      c.set("apiKey", entry.key);
      await next();
    };
  };
}

export type RequireScope = ReturnType<typeof createAuth>;
