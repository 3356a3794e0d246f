import { Agent, request } from "undici";
import { benchDatabase, fmt } from "../lib/database.js";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
import { createResendTransport } from "../../control-plane/src/mail/transports/resend.js";
import { startFakeResend } from "../../control-plane/test/fakes/resend.js";

const CONCURRENCY = 16;

/**
 * The whole send path — validation, preference checks, render with per-recipient props (no render cache
 * hits), tracking rewrite, the send row, the Resend SDK to a local fake, the email.sent event — in sends/s,
 * beside the fake's raw ceiling (a pre-built body posted straight to it over the same concurrency).
 */
export async function measureSendPath(sends: number) {
  const db = await benchDatabase();
  const resend = await startFakeResend({ apiKey: "re_bench" });
  resend.quiet();
  const engine = await createEngine({
    databaseUrl: db.url, app: {}, poolSize: 30,
    config: { ...loadConfig({}), LOG_LEVEL: "error", EMAIL_FROM: "Acme <hi@acme.test>" },
    transport: createResendTransport({ apiKey: "re_bench", baseUrl: resend.url }),
  });
  try {
    await engine.sql`insert into contacts (email, user_id, created_at, updated_at) select 's' || g || '@example.com', 's' || g, now(), now() from generate_series(1, ${sends}::int) g`;
    await engine.sql`analyze`;
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < sends) {
        const i = ++next;
        const result = await engine.email.send({ to: `s${i}@example.com`, template: "support/followup", props: { ticketId: `T-${i}` }, category: "journey" });
        if (result.status !== "sent") throw new Error(`send ${i}: ${result.status} ${result.reason ?? ""}`);
      }
    }));
    const sendRate = sends / ((performance.now() - started) / 1000);
    const agent = new Agent({ connections: CONCURRENCY });
    const body = JSON.stringify({ from: "Acme <hi@acme.test>", to: ["x@example.com"], subject: "Did that fix it?", html: "<p>".padEnd(6000, "x") + "</p>", text: "x" });
    let posted = 0;
    const end = performance.now() + 5000;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const res = await request(`${resend.url}/emails`, { method: "POST", dispatcher: agent, headers: { authorization: "Bearer re_bench", "content-type": "application/json" }, body });
        await res.body.dump();
        posted++;
      }
    }));
    await agent.close();
    return { sendRate, ceiling: posted / 5 };
  } finally {
    await closeEngine(engine);
    await resend.close();
    await db.stop();
  }
}

export function printSendPath(r: { sendRate: number; ceiling: number }, sends: number) {
  console.log(`send path (${sends} sends of support/followup through the email service to a local fake Resend, ${CONCURRENCY} at a time):`);
  console.log(`  ${fmt(r.sendRate, 0)} sends/s   fake Resend raw ceiling ${fmt(r.ceiling, 0)} posts/s   → ${fmt((100 * r.sendRate) / r.ceiling, 1)}% (target ≥ 50%)`);
}
