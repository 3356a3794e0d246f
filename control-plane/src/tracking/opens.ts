import type { Engine } from "../engine.js";
import { emitSendEvent, loadSend } from "./events.js";

/** An open: counted on the send; the first one is ingested as email.opened with the count. */
export async function recordOpen(engine: Engine, sendId: string, source: "pixel" | "provider" = "pixel"): Promise<boolean> {
  const send = await loadSend(engine.sql, sendId);
  if (!send) return false;
  await engine.sql.begin(async (tx) => {
    const now = engine.clock.now();
    const [row] = await tx<{ open_count: number }[]>`
      update email_sends set open_count = open_count + 1, first_opened_at = coalesce(first_opened_at, ${now}), updated_at = ${now}
      where id = ${sendId} returning open_count`;
    if (row.open_count === 1) await emitSendEvent(engine, tx, send, "email.opened", { open_count: 1, source }, `email.opened:${sendId}`);
  });
  return true;
}
