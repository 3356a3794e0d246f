import { Hono, type Context } from "hono";
import type { Engine } from "../../engine.js";
import { verifySignedId } from "../../tracking/sign.js";
import { answerForLink, MAX_COMMENT, recordComment } from "../../tracking/answers.js";
import { escapeHtml, page } from "../../tracking/page.js";
import { preferencesOf, readPreferenceToken, savePreferences, tokenContact, unsubscribeAll } from "../../tracking/unsubscribe.js";
import type { AuthVariables, RequireScope } from "../auth.js";

const label = (properties: Record<string, unknown>) =>
  Object.values(properties).map((v) => String(v)).join(", ") || "recorded";

/** Engine-hosted pages reached from emails: the answer page, one-click unsubscribe, the preference center. */
export function hostedRoutes(engine: Engine, _requireScope: RequireScope) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const missing = (c: Context) => c.html(page("Link expired", "<h1>This link is no longer valid</h1><p>It may have expired or been mistyped.</p>"), 404);

  app.get("/a/:signed", async (c) => {
    const linkId = verifySignedId(engine.secrets.signing, c.req.param("signed"));
    const answer = linkId ? await answerForLink(engine, linkId) : undefined;
    if (!answer) return missing(c);
    const action = `/a/${escapeHtml(c.req.param("signed"))}/comment`;
    // A later, different answer does not replace the first confirmed one: the page says which one counts.
    const recorded = answer.recorded && label(answer.recorded) !== label(answer.properties) ? answer.recorded : null;
    return c.html(page("Thanks for your answer", `<h1>${recorded ? "Thanks — we already have your answer" : "Thanks — your answer is recorded"}</h1>
<p>You answered: <strong data-testid="answer">${escapeHtml(label(recorded ?? answer.properties))}</strong></p>
<form method="post" action="${action}"><label for="comment">Anything you'd like to add? (optional)</label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT}"></textarea><p><button type="submit">Send</button></p></form>`));
  });

  app.post("/a/:signed/comment", async (c) => {
    const linkId = verifySignedId(engine.secrets.signing, c.req.param("signed"));
    if (!linkId) return missing(c);
    const form = await c.req.parseBody();
    const comment = String(form.comment ?? "").trim();
    if (!comment || comment.length > MAX_COMMENT) {
      return c.html(page("Comment not saved", `<h1>Comment not saved</h1><p>A comment is 1 to ${MAX_COMMENT} characters.</p>`), 400);
    }
    const outcome = await recordComment(engine, linkId, comment);
    if (outcome === "no_answer") return missing(c);
    const body = outcome === "stored"
      ? `<h1 class="ok">Thanks, we got it</h1><p>Your comment:</p><blockquote data-testid="comment">${escapeHtml(comment)}</blockquote>`
      : `<h1>Thanks</h1><p>We already have a comment for this answer.</p>`;
    return c.html(page("Thanks", body));
  });

  // RFC 8058 one-click: the mail client POSTs List-Unsubscribe=One-Click; no page, no confirmation.
  app.post("/u/:token", async (c) => {
    const token = readPreferenceToken(engine, c.req.param("token"));
    if (!token) return c.text("Not found", 404);
    await unsubscribeAll(engine, (await tokenContact(engine, token, true))!, "one_click", token.s);
    const accepts = c.req.header("accept") ?? "";
    if (accepts.includes("text/html")) return c.html(page("Unsubscribed", "<h1>You're unsubscribed</h1><p>You won't receive these emails any more.</p>"));
    return c.body(null, 200);
  });

  // A GET never unsubscribes (link scanners follow GETs): it shows the button.
  app.get("/u/:token", (c) => {
    const raw = c.req.param("token");
    if (!readPreferenceToken(engine, raw)) return missing(c);
    return c.html(page("Unsubscribe", `<h1>Unsubscribe from all emails?</h1>
<form method="post" action="/u/${escapeHtml(raw)}"><button type="submit">Unsubscribe</button></form>
<p class="muted">Or <a href="/p/${escapeHtml(raw)}">choose which emails you get</a>.</p>`));
  });

  app.get("/p/:token", async (c) => {
    const raw = c.req.param("token");
    const token = readPreferenceToken(engine, raw);
    if (!token) return missing(c);
    const prefs = await preferencesOf(engine, await tokenContact(engine, token, false));
    const saved = c.req.query("saved") ? `<p class="ok" role="status">Your preferences are saved.</p>` : "";
    const rows = prefs.lists
      .map((l) => `<label><input type="checkbox" name="list:${escapeHtml(l.id)}" ${l.subscribed ? "checked" : ""}> <strong>${escapeHtml(l.name)}</strong>
<span class="muted">— ${l.defaultOptIn ? "you get these unless you opt out" : "only if you opted in"}${l.description ? `. ${escapeHtml(l.description)}` : ""}</span></label>`)
      .join("\n");
    return c.html(page("Email preferences", `<h1>Email preferences</h1>${saved}
<form method="post" action="/p/${escapeHtml(raw)}"><fieldset><legend>What you receive</legend>${rows}</fieldset>
<label><input type="checkbox" name="unsubscribe_all" ${prefs.unsubscribed ? "checked" : ""}> <strong>Unsubscribe from all emails</strong></label>
<p><button type="submit">Save preferences</button></p></form>`));
  });

  app.post("/p/:token", async (c) => {
    const raw = c.req.param("token");
    const token = readPreferenceToken(engine, raw);
    if (!token) return missing(c);
    const form = await c.req.parseBody();
    const lists = Object.fromEntries([...engine.registry.lists.keys()].map((id) => [id, form[`list:${id}`] === "on"]));
    await savePreferences(engine, (await tokenContact(engine, token, true))!, { lists, unsubscribeAll: form.unsubscribe_all === "on" });
    return c.redirect(`/p/${raw}?saved=1`, 303);
  });

  return app;
}

