import type { Engine } from "../engine.js";
import { rewriteForTracking } from "../tracking/rewrite.js";
import { makeToken, signId } from "../tracking/sign.js";
import { HOSTED_ANSWER_HREF } from "./templates.js";

const TOKEN_DAYS = 30;

/**
 * Make a rendered template sendable: tracked links and open pixel, EmailAction metadata lifted into
 * tracked-link rows, and for non-transactional mail the unsubscribe links and RFC 8058 headers.
 */
export async function buildTrackedEmail(
  engine: Engine,
  input: { sendId: string; to: string; contactId: string | null; category: string; rendered: { html: string; text: string } },
) {
  const base = engine.publicUrl;
  const secret = engine.secrets.signing;
  const expires = Math.floor(engine.clock.now().getTime() / 1000) + TOKEN_DAYS * 86400;
  const token = makeToken(secret, { c: input.contactId ?? undefined, e: input.to, s: input.sendId, x: expires });
  const marketing = input.category !== "transactional";
  const unsubscribeUrl = `${base}/u/${token}`;
  const preferencesUrl = `${base}/p/${token}`;
  const tracked = rewriteForTracking(input.rendered.html, {
    sendId: input.sendId,
    baseUrl: base,
    sign: (id: string) => signId(secret, id),
    hostedAnswerHref: HOSTED_ANSWER_HREF,
    unsubscribeUrl: marketing ? unsubscribeUrl : undefined,
    preferencesUrl: marketing ? preferencesUrl : undefined,
  });
  const headers: Record<string, string> = {};
  if (marketing) {
    const host = new URL(base).hostname;
    headers["List-Unsubscribe"] = `<${unsubscribeUrl}>, <mailto:unsubscribe@${host}?subject=unsubscribe%20${token}>`;
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  }
  return {
    html: tracked.html,
    text: input.rendered.text,
    headers,
    links: tracked.links,
    /** Link rows are written once the send row exists. */
    saveLinks: async () => {
      if (!tracked.links.length) return;
      const rows = tracked.links.map((l) => ({
        id: l.id,
        send_id: input.sendId,
        position: l.position,
        url: l.url,
        action_event: l.actionEvent ?? null,
        action_properties: l.actionProperties ?? null,
      }));
      await engine.sql`insert into tracked_links ${engine.sql(rows as never, "id", "send_id", "position", "url", "action_event", "action_properties")} on conflict do nothing`;
    },
  };
}
