import type { Engine } from "../engine.js";
import type { Db, Tx } from "../db/client.js";
import { ingest } from "../ingest/ingest.js";
import { sendEventProperties, type SendRow } from "../mail/deliver.js";

export async function loadSend(db: Db, sendId: string): Promise<SendRow | undefined> {
  const [row] = await db<SendRow[]>`select * from email_sends where id = ${sendId}`;
  return row;
}

/** Ingest an email.* engine event about a send, for its contact (sends to no contact emit nothing). */
export async function emitSendEvent(
  engine: Engine,
  tx: Tx,
  send: SendRow,
  name: string,
  extra: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<void> {
  if (!send.contact_id) return;
  await ingest(engine, { name, contactId: send.contact_id, eventProperties: { ...sendEventProperties(send), ...extra }, source: "engine", idempotencyKey }, tx);
}
