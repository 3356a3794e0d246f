import { loadConfig } from "../config.js";
import { createSql } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { createApiKey, SCOPES, type Scope } from "../auth/api-keys.js";
import { systemClock } from "../clock.js";
import { openDatabase } from "./database.js";

export class CliError extends Error {
  override name = "CliError";
}

export async function migrateCommand() {
  const config = loadConfig();
  const db = await openDatabase(config);
  const sql = createSql(db.url, { max: 2 });
  try {
    const { applied } = await migrate(sql, db.url);
    process.stdout.write(applied.length ? `applied ${applied.join(", ")}\n` : "database is up to date\n");
  } finally {
    await sql.end();
    await db.embedded?.stop();
  }
}

export async function createKeyCommand(values: { scope?: string; name?: string }) {
  if (!values.scope || !SCOPES.includes(values.scope as Scope)) throw new CliError(`--scope must be one of: ${SCOPES.join(", ")}`);
  const config = loadConfig();
  const db = await openDatabase(config);
  const sql = createSql(db.url, { max: 2 });
  try {
    await migrate(sql, db.url);
    const { key, row } = await createApiKey(sql, { scope: values.scope as Scope, name: values.name }, systemClock.now());
    process.stdout.write(`${key}\n`);
    process.stderr.write(`created ${row.scope} key "${row.name}" (${row.id}); it is shown only this once\n`);
  } finally {
    await sql.end();
    await db.embedded?.stop();
  }
}
