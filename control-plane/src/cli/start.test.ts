import { spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { freePort } from "../db/embedded.js";

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

it("hogsend start that fails after starting the embedded Postgres (its API port taken) stops that Postgres and exits 1", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hogsend-start-"));
  chmodSync(dir, 0o755); // run as root, Postgres runs as the postgres user
  const dataDir = path.join(dir, "pg");
  const pgPort = await freePort();
  const taken = net.createServer();
  const apiPort = await new Promise<number>((resolve) => taken.listen(0, "127.0.0.1", () => resolve((taken.address() as net.AddressInfo).port)));
  const env: NodeJS.ProcessEnv = { ...process.env, HOGSEND_DATA_DIR: dataDir, HOGSEND_PG_PORT: String(pgPort), PORT: String(apiPort), HOST: "127.0.0.1", LOG_LEVEL: "silent" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [fileURLToPath(new URL("../../bin/hogsend.js", import.meta.url)), "start"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  taken.close();
  const orphaned = await accepts(pgPort);
  if (orphaned) process.kill(Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]), "SIGTERM");
  expect(code).toBe(1);
  expect(stderr).toContain("EADDRINUSE");
  expect(orphaned).toBe(false);
}, 90_000);
