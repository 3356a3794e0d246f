import { Hono } from "hono";
import type { Engine } from "../engine.js";
import type { RequireScope } from "../http/auth.js";

/** Placeholder: Studio, served at /studio. */
export function studioRoutes(_engine: Engine, _requireScope: RequireScope) {
  return new Hono();
}
