import { Hono } from "hono";
import type { Engine } from "../../engine.js";
import type { AuthVariables, RequireScope } from "../auth.js";

/** Placeholder until its owner fills it in. */
export function webhooksRoutes(_engine: Engine, _requireScope: RequireScope) {
  return new Hono<{ Variables: AuthVariables }>();
}
