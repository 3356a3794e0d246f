import path from "node:path";
import { fileURLToPath } from "node:url";
import { openSql } from "../db/client.js";
import type { Config } from "../config.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded.js";

export const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** DATABASE_URL when set; else the embedded Postgres, its data kept in the project's git-ignored .data/. */
export async function openDatabase(config: Config): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const dataDir = config.HOGSEND_DATA_DIR ?? path.join(PROJECT_ROOT, ".data", "postgres");
  const port = Number(process.env.HOGSEND_PG_PORT ?? 54329);
  // `hogsend keys create` beside a running `hogsend start`: use the Postgres that is already up.
  const running = `postgres://postgres:hogsend@127.0.0.1:${port}/postgres`;
  if (await reachable(running)) return { url: running };
  const embedded = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  return { url: embedded.url, embedded };
}

async function reachable(url: string): Promise<boolean> {
  const sql = openSql(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
