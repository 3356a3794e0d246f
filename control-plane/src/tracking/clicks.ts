import type { Engine } from "../engine.js";
import { addJob, Jobs } from "../worker/jobs.js";
import { HOSTED_ANSWER_HREF } from "../mail/templates.js";
import { signId } from "./sign.js";
import { emitSendEvent, loadSend } from "./events.js";

/** How long clicks on one send are watched before an answer is confirmed (scanners click everything at once). */
export const ANSWER_WINDOW_MS = 30_000;

interface LinkRow {
  id: string;
  send_id: string;
  url: string;
  action_event: string | null;
  action_properties: Record<string, unknown> | null;
}

/**
 * A click: counted on the link, ingested as email.link_clicked, and for an EmailAction link recorded as a
 * provisional answer confirmed by a job after the window (a link first clicked in a scanner burst counts
 * again when a person clicks it later). Returns where to redirect: only ever the link
 * that was sent, or the engine's hosted answer page.
 */
export async function recordClick(engine: Engine, linkId: string): Promise<string | null> {
  const [link] = await engine.sql<LinkRow[]>`select id, send_id, url, action_event, action_properties from tracked_links where id = ${linkId}`;
  if (!link) return null;
  const send = await loadSend(engine.sql, link.send_id);
  if (!send) return null;
  await engine.sql.begin(async (tx) => {
    const now = engine.clock.now();
    await tx`update tracked_links set click_count = click_count + 1, first_clicked_at = coalesce(first_clicked_at, ${now}) where id = ${linkId}`;
    await emitSendEvent(engine, tx, send, "email.link_clicked", { link_id: link.id, link_url: link.action_event ? null : link.url, ...(link.action_event ? { action_event: link.action_event } : {}) });
    if (link.action_event) {
      await tx`insert into link_answers (send_id, link_id, event, properties, status, clicked_at)
               values (${send.id}, ${link.id}, ${link.action_event}, ${tx.json((link.action_properties ?? {}) as never)}, 'provisional', ${now})
               on conflict (link_id) do update set status = 'provisional', clicked_at = excluded.clicked_at, decided_at = null
               where link_answers.status = 'scanner'`;
      // The window starts at the send's first click: later clicks keep the job's time.
      await addJob(tx, Jobs.confirmAnswer, { sendId: send.id }, { runAt: new Date(now.getTime() + ANSWER_WINDOW_MS), jobKey: `answer:${send.id}`, jobKeyMode: "preserve_run_at", maxAttempts: 10 });
    }
  });
  if (link.url === HOSTED_ANSWER_HREF) return `${engine.publicUrl}/a/${link.id}.${signId(engine.secrets.signing, link.id)}`;
  return link.url;
}
