import { z } from "zod";
import type { Sql } from "../db/client.js";

/**
 * Newest-first pages that cannot skip a row: the cursor is the last row's time and id ("<ISO time>~<uuid>"),
 * and rows are ordered by (time, id), so rows sharing a millisecond (a burst) are split by id, not lost.
 * A bare ISO time is accepted too: the rows strictly before it.
 */
export function pageCursor(at: Date, id: string): string {
  return `${at.toISOString()}~${id}`;
}

export function parseCursor(value: string): { at: Date; id: string | null } | null {
  const [time, id, ...rest] = value.split("~");
  if (rest.length || !z.iso.datetime({ offset: true }).safeParse(time).success) return null;
  // Within what Postgres stores as a timestamp, as event times are.
  const year = new Date(time).getUTCFullYear();
  if (year < 1900 || year > 9999) return null;
  if (id !== undefined && !z.string().uuid().safeParse(id).success) return null;
  return { at: new Date(time), id: id ?? null };
}

export const cursorParam = z.string().max(120).refine((v) => parseCursor(v) !== null, "must be the `next` of a previous page, or an ISO time");

/** The rows after the cursor in newest-first order, for `order by <time> desc, <id> desc`. */
export function olderThan(sql: Sql, time: ReturnType<Sql>, id: ReturnType<Sql>, cursor: string | undefined) {
  const parsed = cursor ? parseCursor(cursor) : null;
  if (!parsed) return sql``;
  return parsed.id ? sql`and (${time}, ${id}) < (${parsed.at}::timestamptz, ${parsed.id}::uuid)` : sql`and ${time} < ${parsed.at}::timestamptz`;
}

/** The next page's cursor: the last row's, when the page is full. */
export function nextCursor(rows: { id: string }[], limit: number, time: (row: any) => Date): string | null {
  return rows.length === limit ? pageCursor(time(rows[rows.length - 1]), rows[rows.length - 1].id) : null;
}
