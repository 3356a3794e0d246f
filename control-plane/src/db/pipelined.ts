import type { Sql, Tx } from "./client.js";

/**
 * A transaction whose BEGIN travels with its first statements: on a reserved connection, `begin` and
 * whatever `fn` issues before its first await are written together, saving the round trip that
 * `sql.begin` spends on BEGIN alone. Commits when `fn` resolves, rolls back when it throws.
 */
export async function pipelinedTransaction<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  try {
    return await transactionOn(conn, fn);
  } finally {
    conn.release();
  }
}

/**
 * The same on a connection the caller already holds (a journey run's locked connection), which must have
 * no transaction open. (A reserved connection is not a TransactionSql, but inside BEGIN … COMMIT it is used as one.)
 */
export async function transactionOn<T>(conn: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    const begun = conn`begin`.execute();
    const work = Promise.resolve().then(() => fn(conn as unknown as Tx));
    // Both settle before anything else happens on this connection (a failed BEGIN fails the rest).
    const [b, w] = await Promise.allSettled([begun, work]);
    if (b.status === "rejected") throw b.reason;
    if (w.status === "rejected") throw w.reason;
    await conn`commit`;
    return w.value;
  } catch (error) {
    await conn`rollback`.catch(() => {});
    throw error;
  }
}
