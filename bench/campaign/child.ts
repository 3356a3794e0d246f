/**
 * The child process of bench/campaign, so the worker's memory is its own and not the fake's.
 *
 *   child.ts worker  <databaseUrl> <resendUrl>        a graphile worker with the engine; "ready" on stdout
 *   child.ts ceiling <resendUrl> <concurrency> <secs>  pre-built batches posted straight to the fake
 */
import { Agent, request } from "undici";
import { loadConfig } from "../../control-plane/src/config.js";
import { closeEngine, createEngine } from "../../control-plane/src/engine.js";
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
}
