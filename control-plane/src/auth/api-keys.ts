import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/client.js";

export const SCOPES = ["ingest", "read", "journey-admin", "full-admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** Admin scopes are ordered; full-admin also ingests. */
const ADMIN_RANK: Record<Scope, number> = { ingest: 0, read: 1, "journey-admin": 2, "full-admin": 3 };

export function allows(granted: Scope, needed: Scope): boolean {
  if (needed === "ingest") return granted === "ingest" || granted === "full-admin";
  return ADMIN_RANK[granted] >= ADMIN_RANK[needed];
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scope: Scope;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** Mint a key. Only its SHA-256 is stored: the key itself is returned once and never again. */
export async function createApiKey(db: Db, input: { scope: Scope; name?: string }, now: Date): Promise<{ key: string; row: ApiKeyRow }> {
  const key = `hsk_${randomBytes(24).toString("base64url")}`;
  const [row] = await db<ApiKeyRow[]>`
    insert into api_keys (name, prefix, hash, scope, created_at)
    values (${input.name ?? `${input.scope} key`}, ${key.slice(0, 10)}, ${hashKey(key)}, ${input.scope}, ${now})
    returning id, name, prefix, scope, created_at, revoked_at, last_used_at`;
  return { key, row };
}

export async function findApiKey(db: Db, key: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db<ApiKeyRow[]>`
    select id, name, prefix, scope, created_at, revoked_at, last_used_at from api_keys where hash = ${hashKey(key)} and revoked_at is null`;
  return row;
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db<ApiKeyRow[]>`select id, name, prefix, scope, created_at, revoked_at, last_used_at from api_keys order by created_at desc`;
}

export async function revokeApiKey(db: Db, id: string, now: Date): Promise<boolean> {
  const [row] = await db`update api_keys set revoked_at = ${now} where id = ${id} and revoked_at is null returning id`;
  return Boolean(row);
}

export async function countApiKeys(db: Db): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from api_keys`;
  return row.n;
}
