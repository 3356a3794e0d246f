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
