/**
 * The child process of bench/campaign, so the worker's memory is its own and not the fake's.
 *
 *   child.ts worker  <databaseUrl> <resendUrl>        a graphile worker with the engine; "ready" on stdout
 *   child.ts ceiling <resendUrl> <concurrency> <secs>  pre-built batches posted straight to the fake
 *   child.ts storage <databaseUrl> <concurrency> <secs> the rows a send leaves, written straight to Postgres
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "undici";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createSql } from "../../control-plane/src/db/client.js";
import { buildTrackedEmail } from "../../control-plane/src/mail/compose.js";
import { createWorker } from "../../control-plane/src/worker/create-worker.js";
import { createResendTransport } from "../../control-plane/src/mail/transports/resend.js";
import { render } from "../../control-plane/src/mail/templates.js";
import { PROVIDER_BATCH } from "../../control-plane/src/audiences/send-batch.js";
import { LIST } from "./shared.js";

const [mode, ...args] = process.argv.slice(2);

if (mode === "worker") {
  const [databaseUrl, resendUrl] = args;
  const engine = await createEngine({
    databaseUrl,
    app: { lists: [LIST] },
    poolSize: 20,
    config: { ...loadConfig({}), LOG_LEVEL: "error", EMAIL_FROM: "Acme <hi@acme.test>" },
    transport: createResendTransport({ apiKey: "re_bench", baseUrl: resendUrl }),
  });
  const worker = await createWorker(engine, { databaseUrl, pollInterval: 200 });
  process.stdout.write("ready\n");
  process.once("SIGTERM", async () => {
    await worker.stop();
    await closeEngine(engine);
    process.exit(0);
  });
} else if (mode === "ceiling") {
  const [resendUrl, concurrency, seconds] = [args[0], Number(args[1]), Number(args[2])];
  // The campaign's own body, rendered once: what the worker posts, minus everything the engine does.
  const { html, text } = await render("ecommerce/back-in-stock", { sku: "chair-01", productName: "Studio chair" });
  const email = (i: number) => ({
    from: "Acme <hi@acme.test>", to: [`r${i}@example.com`], subject: "Studio chair is back in stock", html, text,
    headers: { "List-Unsubscribe": "<http://localhost:3000/u/token>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    tags: [{ name: "send_id", value: "00000000-0000-4000-8000-000000000000" }],
  });
  const body = JSON.stringify(Array.from({ length: PROVIDER_BATCH }, (_, i) => email(i)));
  const agent = new Agent({ connections: concurrency });
  let emails = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const res = await request(`${resendUrl}/emails/batch`, { method: "POST", dispatcher: agent, headers: { authorization: "Bearer re_bench", "content-type": "application/json" }, body });
      await res.body.dump();
      emails += PROVIDER_BATCH;
    }
  }));
  await agent.close();
  process.stdout.write(JSON.stringify({ perSecond: emails / seconds }) + "\n");
  process.exit(0);
} else if (mode === "storage") {
  // The storage floor: per recipient, the rows every send leaves (its send record with the tracked body, its
  // tracked links, its email.sent event), each written once in its final state, 100 recipients per
  // transaction of multi-row INSERTs — what is left of a campaign once rendering, rules, the provider
  // request, the queued state before it and the routing of events are taken away.
  const [databaseUrl, concurrency, seconds] = [args[0], Number(args[1]), Number(args[2])];
  const engine = await createEngine({ databaseUrl, app: { lists: [LIST] }, poolSize: 2, config: { ...loadConfig({}), LOG_LEVEL: "error" } });
  const rendered = await render("ecommerce/back-in-stock", { sku: "chair-01", productName: "Studio chair" });
  const body = await buildTrackedEmail(engine, { sendId: randomUUID(), to: "r1@example.com", contactId: null, category: LIST.id, rendered });
  await closeEngine(engine);
  const sql = createSql(databaseUrl, { max: concurrency });
  const contacts = (await sql<{ id: string; email: string }[]>`select id, email from contacts order by id limit ${PROVIDER_BATCH * 100}`);
  let recipients = 0;
  let batchNo = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const batch = batchNo++;
      const now = new Date();
      const sends = Array.from({ length: PROVIDER_BATCH }, (_, i) => {
        const contact = contacts[(batch * PROVIDER_BATCH + i) % contacts.length];
        return { id: randomUUID(), idempotency_key: `floor:${batch}:${i}`, contact_id: contact.id, to_address: contact.email, template: "ecommerce/back-in-stock",
          category: LIST.id, subject: "Studio chair is back in stock", props: sql.json({ sku: "chair-01", productName: "Studio chair" }), status: "sent",
          status_history: sql.json([{ status: "queued", at: now.toISOString() }, { status: "sent", at: now.toISOString() }]), transport: "resend",
          provider_id: randomUUID(), attempts: 1, html: body.html, text: body.text, headers: sql.json(body.headers), created_at: now, sent_at: now, updated_at: now };
      });
      const links = sends.flatMap((send) => body.links.map((l) => ({ id: randomUUID(), send_id: send.id, position: l.position, url: l.url, action_event: l.actionEvent ?? null, action_properties: null })));
      const events = sends.map((send) => ({ contact_id: send.contact_id, name: "email.sent", source: "engine", idempotency_key: `email.sent:${send.id}`, occurred_at: now, received_at: now,
        properties: sql.json({ send_id: send.id, template: send.template, category: send.category, subject: send.subject }) }));
      await sql.begin((tx) => [
        tx`insert into email_sends ${tx(sends as never)}`,
        ...(links.length ? [tx`insert into tracked_links ${tx(links as never)}`] : []),
        tx`insert into events ${tx(events as never)}`,
      ]);
      recipients += PROVIDER_BATCH;
    }
  }));
  await sql.end();
  process.stdout.write(JSON.stringify({ perSecond: recipients / seconds }) + "\n");
  process.exit(0);
}
