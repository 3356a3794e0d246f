import postgres from "postgres";

export type Sql = postgres.Sql<{}>;
export type Tx = postgres.TransactionSql<{}>;
/** Either the pool or a transaction: functions that take `Db` run inside the caller's transaction when given one. */
export type Db = Sql | Tx;

/**
 * postgres.js on a connection URL, with libpq's `?host=/socket/dir` (a Unix socket, as the embedded
 * Postgres is reached) understood: postgres.js alone would send `host` to the server as a setting.
 */
export function openSql(url: string, options: postgres.Options<{}> = {}): Sql {
  const u = new URL(url);
  const socketDir = u.searchParams.get("host");
  if (!socketDir) return postgres(url, options);
  u.searchParams.delete("host");
  return postgres(u.toString(), { ...options, host: socketDir });
}

export function createSql(url: string, options: { max?: number } = {}): Sql {
  return openSql(url, {
    max: options.max ?? 20,
    onnotice: () => {},
    // jsonb in, jsonb out: values are passed as JSON, never as SQL text.
    types: {},
    connection: { application_name: "hogsend" },
  });
}

/**
 * Run a transaction again when Postgres chose it as a deadlock's victim (it rolled back whole): two merges of
 * the same pair of contacts from opposite sides lock the pair in opposite orders; the retry sees the winner's merge.
 */
export async function retryDeadlock<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if ((error as { code?: string }).code !== "40P01" || attempt >= attempts) throw error;
    }
  }
}
