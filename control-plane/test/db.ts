import { randomBytes } from "node:crypto";
import { openSql } from "../src/db/client.js";
import { inject } from "vitest";

/** A fresh, migrated database for one test file (a clone of the template the global setup built). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const template = inject("pgTemplate");
  const name = `hogsend_test_${randomBytes(6).toString("hex")}`;
  const admin = openSql(adminUrl, { max: 1, onnotice: () => {} });
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${template}`);
      break;
    } catch (error) {
      // Two files cloning at the same instant: the template is briefly busy.
      if (attempt > 20) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = openSql(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
    },
  };
}
