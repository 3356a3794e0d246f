import { spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chmodSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { freePort } from "../db/embedded.js";
import { createTestDatabase } from "../../test/db.js";
import { openSql } from "../db/client.js";

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

it("SIGTERM while hogsend start is starting its embedded Postgres leaves no Postgres running", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hogsend-start-"));
  chmodSync(dir, 0o755);
  const dataDir = path.join(dir, "pg");
  const pgPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, HOGSEND_DATA_DIR: dataDir, HOGSEND_PG_PORT: String(pgPort), PORT: String(await freePort()), HOST: "127.0.0.1", LOG_LEVEL: "silent" };
  delete env.DATABASE_URL;
  // A first start initialises the data folder; the second is stopped while its Postgres starts.
  const first = spawn(process.execPath, [fileURLToPath(new URL("../../bin/hogsend.js", import.meta.url)), "start"], { env, stdio: ["ignore", "pipe", "ignore"] });
  await new Promise<void>((resolve) => { let out = ""; first.stdout!.on("data", (c) => ((out += c), out.includes("Hogsend is running") && resolve())); });
  first.kill("SIGTERM");
  await new Promise((resolve) => first.once("exit", resolve));
  expect(await accepts(pgPort)).toBe(false);
  expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
  const child = spawn(process.execPath, [fileURLToPath(new URL("../../bin/hogsend.js", import.meta.url)), "start"], { env, stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  // Postgres has been spawned (it writes postmaster.pid first thing): stop hogsend start now, as a supervisor would.
  const pidFile = path.join(dataDir, "postmaster.pid");
  while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 5));
  child.kill("SIGTERM");
  await exited;
  await new Promise((r) => setTimeout(r, 2_000));
  const orphaned = await accepts(pgPort);
  if (orphaned) process.kill(Number(readFileSync(pidFile, "utf8").split("\n")[0]), "SIGTERM");
  expect(orphaned).toBe(false);
}, 90_000);

it("hogsend start exits 1 when its worker pool dies", async () => {
  const db = await createTestDatabase();
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, HOGSEND_ROLE: "worker", LOG_LEVEL: "silent" };
  const child = spawn(process.execPath, [fileURLToPath(new URL("../../bin/hogsend.js", import.meta.url)), "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let stdout = "";
  await new Promise<void>((resolve) => child.stdout!.on("data", (c) => (stdout += c, stdout.includes("Hogsend is running") && resolve())));
  const sql = openSql(db.url, { max: 1, onnotice: () => {} });
  // Any fatal pool error will do: here graphile-worker cannot complete a job.
  await sql.unsafe(`
    create function public.refuse_completion() returns trigger language plpgsql as $$ begin raise exception 'completion refused'; end $$;
    create trigger refuse_completion before delete on graphile_worker._private_jobs for each row execute function public.refuse_completion();`);
  await sql`select graphile_worker.add_job('hogsend:email', json_build_object('sendId', gen_random_uuid()))`;
  await sql.end();
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 10_000))]);
  if (code === "still running") child.kill("SIGKILL");
  await exited;
  await db.drop();
  expect(code).toBe(1);
}, 60_000);
