import { z } from "zod";

/**
 * Every setting the service reads, parsed once at start-up. A missing or wrong value stops the
 * process with one line naming the variable and what it expects.
 */
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional().describe("a postgres:// URL; unset = embedded Postgres"),
  HOGSEND_DATA_DIR: z.string().min(1).optional().describe("folder for the embedded Postgres data"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe("TCP port of the API"),
  HOST: z.string().min(1).default("127.0.0.1").describe("interface the API listens on"),
  PUBLIC_URL: z.url().optional().describe("the URL recipients reach this service at (tracking links)"),
  HOGSEND_ROLE: z.enum(["all", "api", "worker"]).default("all").describe("which parts this process runs"),
  HOGSEND_SECRET: z.string().min(32).optional().describe("signing secret, at least 32 characters; unset = generated once and kept in the database"),
  DEFAULT_TIMEZONE: z.string().default("UTC").describe("an IANA timezone for contacts without one"),
  EMAIL_FROM: z.string().optional().describe('the From address, e.g. "Acme <hello@acme.com>"'),
  RESEND_API_KEY: z.string().startsWith("re_").optional().describe("a Resend API key (re_…); unset = the local outbox"),
  RESEND_BASE_URL: z.url().optional().describe("Resend API base URL"),
  RESEND_WEBHOOK_SECRET: z.string().optional().describe("the svix signing secret (whsec_…) of Resend webhooks"),
  POSTHOG_API_KEY: z.string().optional().describe("a PostHog project API key (phc_…) to send engine events to"),
  POSTHOG_HOST: z.url().default("https://us.i.posthog.com").describe("PostHog ingestion host"),
  POSTHOG_WEBHOOK_SECRET: z.string().min(16).optional().describe("the destination's shared secret; unset = the one `hogsend posthog install` minted"),
  POSTHOG_FORWARD_APP_EVENTS: z.enum(["true", "false"]).default("false").transform((v) => v === "true").describe('"true" to send app events (not only engine events) to PostHog'),
  WEBHOOK_DESTINATION_URL: z.url().optional().describe("an https URL that receives engine events, signed per Standard Webhooks"),
  WEBHOOK_DESTINATION_SECRET: z.string().min(16).optional().describe("the whsec_… secret that signs webhook destination deliveries"),
  POSTHOG_PERSONAL_API_KEY: z.string().optional().describe("a PostHog personal API key (phx_…) for cohort sync"),
  POSTHOG_API_HOST: z.url().default("https://us.posthog.com").describe("PostHog app host for the REST API (cohort sync)"),
  POSTHOG_PROJECT_ID: z.string().optional().describe("the PostHog project id for cohort sync"),
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(1000).describe("requests per second allowed per API key"),
  WORKER_DEAD_AFTER_MS: z.coerce.number().int().min(500).default(30_000).describe("how long a silent worker's locked jobs wait before survivors unlock them (ms)"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(24).describe("jobs a worker runs at once"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info").describe("log verbosity"),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parse the environment; throws ConfigError with a one-line message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue.path[0]);
  const expects = schema.shape[key as keyof typeof schema.shape]?.description ?? issue.message;
  throw new ConfigError(`Invalid configuration: ${key} must be ${expects} (${issue.message})`);
}

export function publicUrl(config: Config, port: number): string {
  return (config.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, "");
}
