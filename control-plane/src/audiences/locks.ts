import type { Engine } from "../engine.js";

/**
 * Run `fn` only if no other process is running the same long job (a bucket reconcile, a cohort sync):
 * a session advisory lock held on one reserved connection for the job's span, which spans many
 * transactions. Returns null, without running `fn`, when another holder has it.
 */
export async function exclusively<T>(engine: Engine, name: string, fn: () => Promise<T>): Promise<T | null> {
  const conn = await engine.sql.reserve();
  try {
    const [{ locked }] = await conn<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${`hogsend:${name}`}, 0)) as locked`;
    if (!locked) return null;
    try {
      return await fn();
    } finally {
      await conn`select pg_advisory_unlock(hashtextextended(${`hogsend:${name}`}, 0))`;
    }
  } finally {
    conn.release();
  }
}
