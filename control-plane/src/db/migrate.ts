import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { runMigrations as runWorkerMigrations } from "graphile-worker";
import type { Sql } from "./client.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));

interface Journal {
  entries: { idx: number; tag: string }[];
}

/**
 * Apply the SQL migrations in migrations/ (drizzle-kit output) that have not run yet, then
 * graphile-worker's own. Safe to run from many processes at once: one advisory lock serializes them.
 */
export async function migrate(sql: Sql, connectionString: string): Promise<{ applied: string[] }> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as Journal;
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('hogsend:migrate'))`;
    await tx`create table if not exists hogsend_migrations (tag text primary key, applied_at timestamptz not null default now())`;
    const done = new Set((await tx<{ tag: string }[]>`select tag from hogsend_migrations`).map((r) => r.tag));
    for (const entry of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
      if (done.has(entry.tag)) continue;
      const text = await readFile(path.join(MIGRATIONS_DIR, `${entry.tag}.sql`), "utf8");
      for (const statement of text.split("--> statement-breakpoint")) {
        if (statement.trim()) await tx.unsafe(statement);
      }
      await tx`insert into hogsend_migrations (tag) values (${entry.tag})`;
      applied.push(entry.tag);
    }
  });
  await runWorkerMigrations({ connectionString, logger: quietLogger() });
  return { applied };
}

function quietLogger() {
  // graphile-worker's Logger wants a factory; migrations need no chatter.
  return new (class {
    scope() {
      return this;
    }
    error() {}
    warn() {}
    info() {}
    debug() {}
  })() as never;
}
