import { randomBytes } from "node:crypto";
import { createDashboard, installDestination } from "@hogsend/posthog-app";
import { loadConfig } from "../config.js";
import { createSql } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { CliError } from "./commands.js";
import { openDatabase } from "./database.js";

interface Flags {
  host?: string;
  project?: string;
  "personal-api-key"?: string;
  url?: string;
  "dry-run"?: boolean;
}

function required(values: Flags) {
  const host = values.host;
  const projectId = values.project;
  const personalApiKey = values["personal-api-key"] ?? process.env.POSTHOG_PERSONAL_API_KEY;
  if (!host) throw new CliError("--host is required (e.g. https://us.posthog.com)");
  if (!projectId) throw new CliError("--project is required (your PostHog project id)");
  if (!personalApiKey) throw new CliError("--personal-api-key is required (a phx_… key with hog_function:write)");
  return { host, projectId, personalApiKey };
}

/** `hogsend posthog install`: mint a secret, store it, and create or update the destination in PostHog. */
export async function installCommand(values: Flags) {
  const api = required(values);
  const config = loadConfig();
  const base = (values.url ?? config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
  const controlPlaneUrl = `${base}/v1/webhooks/posthog`;
  const secret = randomBytes(24).toString("base64url");
  if (values["dry-run"]) {
    const result = await installDestination({ ...api, controlPlaneUrl, secret, dryRun: true });
    process.stdout.write(JSON.stringify(result.request, null, 2) + "\n");
    return;
  }
  const result = await installDestination({ ...api, controlPlaneUrl, secret });
  // Stored only once PostHog has it: a failed install leaves the old secret working.
  const db = await openDatabase(config);
  const sql = createSql(db.url, { max: 1 });
  try {
    await migrate(sql, db.url);
    await sql`insert into engine_secrets (name, value) values ('posthog_webhook', ${secret}) on conflict (name) do update set value = excluded.value`;
  } finally {
    await sql.end();
    await db.embedded?.stop();
  }
  process.stdout.write(`${result.action} the Hogsend destination (${result.id}) → ${controlPlaneUrl}\n`);
  if (config.POSTHOG_WEBHOOK_SECRET) process.stderr.write("note: POSTHOG_WEBHOOK_SECRET is set and takes precedence over the minted secret\n");
}

/** `hogsend posthog dashboard`: sends by template, the sent → opened → clicked funnel, answers by value. */
export async function dashboardCommand(values: Flags) {
  const result = await createDashboard(required(values));
  process.stdout.write(`${result.created ? "created" : "found"} dashboard ${result.dashboardId}${result.insightIds.length ? ` with ${result.insightIds.length} insights` : ""}\n`);
}
