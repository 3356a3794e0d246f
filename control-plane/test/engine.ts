import { inject } from "vitest";
import { createTestEngine, type TestEngineOptions } from "../src/testing/index.js";

/** createTestEngine on the suite's Postgres server. */
export function testEngine(options: TestEngineOptions = {}) {
  return createTestEngine({ databaseUrl: inject("pgAdminUrl"), ...options });
}
