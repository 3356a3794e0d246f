import type { Context } from "hono";
import type { Engine } from "../engine.js";
import type { Scope } from "../auth/api-keys.js";
import type { Session } from "./session.js";

export type AdminApi = (input: string, init?: RequestInit) => Promise<Response>;

/** What every Studio page gets: the engine (reads), the admin API as the operator (actions), who they are. */
export interface StudioContext {
  engine: Engine;
  session: Session;
  scope: Scope;
  canAct: boolean;
  c: Context;
  /** Call the admin API with the operator's key; throws with the API's message on a non-2xx. */
  api<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
}

export class StudioApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function makeApi(api: AdminApi, key: string) {
  return async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await api(path, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${key}`, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new StudioApiError(response.status, body?.error?.message ?? `HTTP ${response.status}`);
    return body as T;
  };
}
