import { Hono } from "hono";
import type { Engine } from "../engine.js";
import type { RequireScope } from "../http/auth.js";

/** Placeholder: Studio, served at /studio. */
export type AdminApi = (input: string, init?: RequestInit) => Promise<Response>;

export function studioRoutes(_engine: Engine, _requireScope: RequireScope, _api: AdminApi) {
  return new Hono();
}
