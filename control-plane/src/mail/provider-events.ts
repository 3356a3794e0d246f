import type { Engine } from "../engine.js";
import { recordOpen } from "../tracking/opens.js";
import { emitSendEvent } from "../tracking/events.js";
import type { SendRow } from "./deliver.js";
import { recordPermanentBounce, suppressForComplaint } from "./suppression.js";

/** Resend's webhook event, as documented (fixtures/resend/webhooks). */
export interface ResendWebhookEvent {
  type: string;
  created_at: string;
  data: {
    email_id: string;
    to?: string[];
    bounce?: { type?: string; subType?: string; message?: string };
    click?: { link?: string };
  };
}

/**
 * Map a provider event onto the send it concerns: delivered, bounced, complained, opened and clicked become
 * engine events; permanent bounces suppress after 3, a complaint at once, transient bounces never.
 * Deduped by the webhook's id, so a redelivery changes nothing.
 */
export async function applyProviderEvent(engine: Engine, webhookId: string, event: ResendWebhookEvent): Promise<"applied" | "unknown_send" | "ignored"> {
  const [send] = await engine.sql<SendRow[]>`select * from email_sends where provider_id = ${event.data.email_id}`;
  if (!send) return "unknown_send";
  const now = engine.clock.now();
  const key = `resend:${webhookId}`;
  const setStatus = async (tx: any, status: string, reason?: string) =>
    tx`update email_sends set status = ${status}, reason = coalesce(${reason ?? null}, reason), updated_at = ${now},
         status_history = status_history || ${tx.json([{ status, at: now.toISOString(), ...(reason ? { reason } : {}) }])}::jsonb
       where id = ${send.id}`;
  switch (event.type) {
    case "email.delivered":
      await engine.sql.begin(async (tx) => {
        const [seen] = await tx`select 1 from events where idempotency_key = ${key}`;
        if (seen) return;
        if (send.status === "sent") await setStatus(tx, "delivered");
        await emitSendEvent(engine, tx, send, "email.delivered", {}, key);
      });
      return "applied";
    case "email.bounced": {
      const permanent = event.data.bounce?.type === "Permanent";
      await engine.sql.begin(async (tx) => {
        const [seen] = await tx`select 1 from events where idempotency_key = ${key}`;
        if (seen) return;
        if (permanent) {
          await setStatus(tx, "bounced", event.data.bounce?.message);
          await recordPermanentBounce(tx, send.to_address, now);
        }
        await emitSendEvent(engine, tx, send, "email.bounced", { bounce_type: permanent ? "permanent" : "transient", bounce_subtype: event.data.bounce?.subType ?? null }, key);
      });
      return "applied";
    }
    case "email.complained":
      await engine.sql.begin(async (tx) => {
        const [seen] = await tx`select 1 from events where idempotency_key = ${key}`;
        if (seen) return;
        await setStatus(tx, "complained");
        await suppressForComplaint(tx, send.to_address, now);
        await emitSendEvent(engine, tx, send, "email.complained", {}, key);
      });
      return "applied";
    case "email.opened":
      await recordOpen(engine, send.id, "provider");
      return "applied";
    case "email.clicked":
      await engine.sql.begin((tx) => emitSendEvent(engine, tx, send, "email.link_clicked", { link_url: event.data.click?.link ?? null, source: "provider" }, key));
      return "applied";
    default:
      return "ignored";
  }
}
