import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("configuration", () => {
  it("parses defaults and coerces numbers", () => {
    const config = loadConfig({ PORT: "4000" });
    expect(config).toMatchObject({ PORT: 4000, HOST: "127.0.0.1", DEFAULT_TIMEZONE: "UTC", HOGSEND_ROLE: "all" });
  });

  it("names the variable and what it expects", () => {
    expect(() => loadConfig({ PORT: "abc" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "abc" })).toThrow(/^Invalid configuration: PORT must be TCP port of the API/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ RESEND_API_KEY: "sk_live" })).toThrow(/RESEND_API_KEY/);
  });

  it("a bad value stops the CLI with one line on stderr", async () => {
    const bin = fileURLToPath(new URL("../bin/hogsend.js", import.meta.url));
    const error = await promisify(execFile)("node", [bin, "migrate"], { env: { ...process.env, PORT: "not-a-port" } }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr.trim().split("\n")).toHaveLength(1);
    expect(error.stderr).toContain("PORT");
  });
});
