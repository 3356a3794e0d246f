import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePostHog, type FakePostHog } from "../../test/fakes/posthog.js";
import { createTestDatabase } from "../../test/db.js";
import { openSql } from "../db/client.js";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/hogsend.js", import.meta.url));

let ph: FakePostHog;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  ph = await startFakePostHog({ personalApiKey: "phx_cli" });
  db = await createTestDatabase();
});
afterAll(async () => {
  await ph.close();
  await db.drop();
});

const hogsend = (args: string[]) =>
  run("node", [bin, ...args], { env: { ...process.env, DATABASE_URL: db.url, PUBLIC_URL: "https://hogsend.example.com", LOG_LEVEL: "silent" } });

describe("hogsend posthog", () => {
  it("install creates the destination and stores the minted secret; a second install updates it", async () => {
    const flags = ["--host", ph.url, "--project", "12345", "--personal-api-key", "phx_cli"];
    const first = await hogsend(["posthog", "install", ...flags]);
    expect(first.stdout).toMatch(/^created the Hogsend destination/);
    const sql = openSql(db.url, { max: 1 });
    const [stored] = await sql`select value from engine_secrets where name = 'posthog_webhook'`;
    expect(ph.hogFunctions[0]._rawInputs.secret.value).toBe(stored.value);
    expect(ph.hogFunctions[0]._rawInputs.url.value).toBe("https://hogsend.example.com/v1/webhooks/posthog");
    const second = await hogsend(["posthog", "install", ...flags]);
    expect(second.stdout).toMatch(/^updated/);
    const [rotated] = await sql`select value from engine_secrets where name = 'posthog_webhook'`;
    expect(rotated.value).not.toBe(stored.value);
    expect(ph.hogFunctions).toHaveLength(1);
    await sql.end();
  });

  it("--dry-run prints the request without sending it or the secret", async () => {
    const before = ph.requests.length;
    const { stdout } = await hogsend(["posthog", "install", "--host", ph.url, "--project", "12345", "--personal-api-key", "phx_cli", "--dry-run"]);
    expect(JSON.parse(stdout).body.inputs.secret.value).toBe("[redacted]");
    expect(ph.requests.length).toBe(before);
  });

  it("dashboard creates the engagement dashboard", async () => {
    const { stdout } = await hogsend(["posthog", "dashboard", "--host", ph.url, "--project", "12345", "--personal-api-key", "phx_cli"]);
    expect(stdout).toMatch(/created dashboard \d+ with 3 insights/);
  });

  it("a missing flag is one clear line and exit code 1", async () => {
    const error = await hogsend(["posthog", "install", "--host", ph.url]).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr.trim()).toBe("--project is required (your PostHog project id)");
  });
});
