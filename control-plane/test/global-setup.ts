import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/db/embedded.js";
import { createSql, openSql } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";

let embedded: EmbeddedDatabase | undefined;

/**
 * One Postgres for the whole run: DATABASE_URL's server if set, else an embedded one. A template
 * database is migrated once; each test file clones it (test/db.ts), so files never share state.
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(os.tmpdir(), "hogsend-test-")), "pg"), persistent: false });
    adminUrl = embedded.url;
  }
  const admin = openSql(adminUrl, { max: 1, onnotice: () => {} });
  const template = `hogsend_template_${process.pid}`;
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  const templateUrl = withDatabase(adminUrl, template);
  const sql = createSql(templateUrl, { max: 2 });
  await migrate(sql, templateUrl);
  await sql.end();
  await admin.end();
  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplate", template);
  return async () => {
    const a = openSql(adminUrl!, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${template} with (force)`).catch(() => {});
    await a.end();
    await embedded?.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
