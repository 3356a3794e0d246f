import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../control-plane/src/db/embedded.js";
import { createSql, openSql } from "../../control-plane/src/db/client.js";
import { migrate } from "../../control-plane/src/db/migrate.js";

/** A fresh, migrated database for a benchmark: on DATABASE_URL's server, else an embedded Postgres. */
export async function benchDatabase(): Promise<{ url: string; serverUrl: string; stop(): Promise<void> }> {
  let embedded: EmbeddedDatabase | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(os.tmpdir(), "hogsend-bench-")), "pg"), persistent: false });
    serverUrl = embedded.url;
  }
  const name = `hogsend_bench_${randomBytes(4).toString("hex")}`;
  const admin = openSql(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const sql = createSql(url, { max: 1 });
  await migrate(sql, url);
  await sql.end();
  return {
    url,
    serverUrl,
    async stop() {
      const a = openSql(serverUrl!, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
      await embedded?.stop();
    },
  };
}

/**
 * Rows written so far in a database's own tables (inserted + updated + deleted, every schema but the catalog).
 * Backends report their counts when they exit, so take it after the connections that did the work have closed.
 */
export async function rowWrites(url: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 1000));
  const sql = openSql(url, { max: 1, onnotice: () => {} });
  try {
    const [{ n }] = await sql`select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint as n from pg_stat_user_tables`;
    return Number(n);
  } finally {
    await sql.end();
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
