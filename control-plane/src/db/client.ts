import postgres from "postgres";

export type Sql = postgres.Sql<{}>;
export type Tx = postgres.TransactionSql<{}>;
/** Either the pool or a transaction: functions that take `Db` run inside the caller's transaction when given one. */
export type Db = Sql | Tx;

export function createSql(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 20,
    onnotice: () => {},
    // jsonb in, jsonb out: values are passed as JSON, never as SQL text.
    types: {},
    connection: { application_name: "hogsend" },
  });
}
