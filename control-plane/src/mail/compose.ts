import type { Engine } from "../engine.js";
import type { Db } from "../db/client.js";
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
    /** The tracked-link rows, written with the send row (see insertLinksCte). */
    linkRows: tracked.links.map((l): TrackedLinkRow => ({
      id: l.id,
      send_id: input.sendId,
      position: l.position,
      url: l.url,
      action_event: l.actionEvent ?? null,
      action_properties: l.actionProperties ?? null,
    })),
  };
}

export interface TrackedLinkRow {
  id: string;
  send_id: string;
  position: number;
  url: string;
  action_event: string | null;
  action_properties: Record<string, unknown> | null;
}

/**
 * A CTE (`links`) writing the tracked-link rows of the sends its statement inserts (a CTE named `inserted`
 * returning their ids): a send and its links commit together, so no crash leaves a send whose links 404.
 */
export function insertLinksCte(db: Db, links: TrackedLinkRow[]) {
  return db`links as (
    insert into tracked_links (id, send_id, position, url, action_event, action_properties)
    select l.id, l.send_id, l.position, l.url, l.action_event, l.action_properties
    from jsonb_to_recordset(${db.json(links as never)}) as l(id text, send_id uuid, position int, url text, action_event text, action_properties jsonb)
    where l.send_id in (select id from inserted)
    on conflict do nothing)`;
}
