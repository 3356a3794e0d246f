import type { Engine } from "../engine.js";
import { ingest } from "../ingest/ingest.js";
import { ANSWER_WINDOW_MS } from "./clicks.js";
import { emitSendEvent, loadSend } from "./events.js";

export const SCANNER_LINKS = 3;
export const MAX_COMMENT = 2000;

interface AnswerRow {
  id: string;
  send_id: string;
  link_id: string;
  event: string;
  properties: Record<string, unknown>;
  status: string;
  clicked_at: Date;
}

/**
 * The confirmation job, about 30 s after a send's first answer click. A scanner clicks everything at once:
 * if 3 or more distinct links of the send were clicked inside the window, or two different answers to one
 * question (a gateway clicking both "yes" and "no"), nothing is recorded. Otherwise the first answer per
 * (send, event) is confirmed — once, by a partial unique index — and ingested as the app's event and as
 * email.action.
 */
export async function confirmAnswers(engine: Engine, sendId: string): Promise<void> {
  const send = await loadSend(engine.sql, sendId);
  if (!send) return;
  await engine.sql.begin(async (tx) => {
    const now = engine.clock.now();
    const pending = await tx<AnswerRow[]>`select * from link_answers where send_id = ${sendId} and status = 'provisional' order by clicked_at, id for update`;
    if (!pending.length) return;
    const windowStart = pending[0].clicked_at;
    const windowEnd = new Date(windowStart.getTime() + ANSWER_WINDOW_MS);
    const [{ n }] = await tx<{ n: number }[]>`
      select count(*)::int as n from tracked_links where send_id = ${sendId} and first_clicked_at between ${windowStart} and ${windowEnd}`;
    const inWindow = pending.filter((a) => a.clicked_at <= windowEnd);
    const bothWays = inWindow.some((a) => inWindow.some((b) => b.event === a.event && b.link_id !== a.link_id));
    if (n >= SCANNER_LINKS || bothWays) {
      await tx`update link_answers set status = 'scanner', decided_at = ${now} where send_id = ${sendId} and status = 'provisional'`;
      engine.log.info("answer clicks dropped as a scanner burst", { sendId, links: n });
      return;
    }
    for (const answer of pending) {
      const [confirmed] = await tx`
        update link_answers set status = 'confirmed', decided_at = ${now}
        where id = ${answer.id} and not exists (select 1 from link_answers where send_id = ${sendId} and event = ${answer.event} and status = 'confirmed')
        returning id`;
      if (!confirmed) {
        await tx`update link_answers set status = 'superseded', decided_at = ${now} where id = ${answer.id}`;
        continue;
      }
      if (!send.contact_id) continue;
      await ingest(engine, { name: answer.event, contactId: send.contact_id, eventProperties: { ...answer.properties, send_id: sendId }, source: "engine", idempotencyKey: `answer:${sendId}:${answer.event}` }, tx);
      await emitSendEvent(engine, tx, send, "email.action", { action_event: answer.event, ...answer.properties }, `email.action:${sendId}:${answer.event}`);
    }
  });
}

/**
 * What a hosted-page visitor answered: the clicked link's own answer, and the answer on record for that
 * (send, event) — the first confirmed one — when there is one.
 */
export async function answerForLink(engine: Engine, linkId: string) {
  const [row] = await engine.sql<{ event: string; properties: Record<string, unknown>; status: string; send_id: string; recorded: Record<string, unknown> | null }[]>`
    select a.event, a.properties, a.status, a.send_id,
      (select c.properties from link_answers c where c.send_id = a.send_id and c.event = a.event and c.status = 'confirmed') as recorded
    from link_answers a where a.link_id = ${linkId}`;
  return row;
}

/** A free-text comment from the hosted page: once per (send, event), ingested as `<event>.comment` with the answer on record. */
export async function recordComment(engine: Engine, linkId: string, comment: string): Promise<"stored" | "duplicate" | "no_answer"> {
  const answer = await answerForLink(engine, linkId);
  if (!answer) return "no_answer";
  const send = await loadSend(engine.sql, answer.send_id);
  return engine.sql.begin(async (tx) => {
    const now = engine.clock.now();
    const [row] = await tx`insert into answer_comments (send_id, event, comment, created_at) values (${answer.send_id}, ${answer.event}, ${comment}, ${now})
                           on conflict do nothing returning send_id`;
    if (!row) return "duplicate" as const;
    if (send?.contact_id) {
      await ingest(engine, { name: `${answer.event}.comment`, contactId: send.contact_id, eventProperties: { ...(answer.recorded ?? answer.properties), comment, send_id: answer.send_id }, source: "engine", idempotencyKey: `comment:${answer.send_id}:${answer.event}` }, tx);
    }
    return "stored" as const;
  });
}
