import { openSql } from "../../control-plane/src/db/client.js";
import { DBOS } from "@dbos-inc/dbos-sdk";
import { renderTemplate } from "@hogsend/email";
import { machineBusySeconds } from "../lib/cpu.js";
import { rowWrites } from "../lib/database.js";

/** The workload on DBOS Transact: two outbox steps around a recv with a one-day timeout. */
export async function runDbos(serverUrl: string, runs: number): Promise<{ runsPerSecond: number; seconds: number; cpuMsPerRun: number; rowsPerRun: number }> {
  const u = new URL(serverUrl);
  const name = `dbos_bench_${Date.now()}`;
  const admin = openSql(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  u.pathname = `/${name}`;
  const url = u.toString();
  const sql = openSql(url, { max: 20, onnotice: () => {} });
  await sql`create table bench_outbox (id bigserial primary key, contact text not null, template text not null, html text, text text, at timestamptz not null default now())`;

  // The same email work as Hogsend's sendEmail: render the React Email template, record it in an outbox.
  const send = DBOS.registerStep(async (contact: string, template: string) => {
    const rendered = template === "one"
      ? await renderTemplate("onboarding/enterprise-welcome", {})
      : await renderTemplate("onboarding/concierge-intro", { csmName: "Bench" });
    await sql`insert into bench_outbox (contact, template, html, text) values (${contact}, ${template}, ${rendered.html}, ${rendered.text})`;
  }, { name: "send" });
  const journey = DBOS.registerWorkflow(async (contact: string) => {
    await send(contact, "one");
    await DBOS.recv<string>("reply", 86_400);
    await send(contact, "two");
  }, { name: "journey" });

  DBOS.setConfig({ name: "hogsend-bench", systemDatabaseUrl: url, logLevel: "error" });
  try {
    let figures;
    let rowsBefore = 0;
    try {
      await DBOS.launch();
      rowsBefore = await rowWrites(url);
      const started = performance.now();
      const busy = machineBusySeconds();
      const ids = Array.from({ length: runs }, (_, i) => `c${i}`);
      const handles = await mapLimit(ids, 64, (id) => DBOS.startWorkflow(journey, { workflowID: id })(id));
      // DBOS.send needs a started workflow; every workflow has started above.
      await mapLimit(ids, 64, (id) => DBOS.send(id, "yes", "reply"));
      await mapLimit(handles, 64, (h) => h.getResult());
      const seconds = (performance.now() - started) / 1000;
      const cpuMsPerRun = ((machineBusySeconds() - busy) * 1000) / runs;
      const [{ n }] = await sql`select count(*)::int as n from bench_outbox`;
      if (n !== runs * 2) throw new Error(`DBOS sent ${n} emails, expected ${runs * 2}`);
      figures = { runsPerSecond: runs / seconds, seconds, cpuMsPerRun };
    } finally {
      await DBOS.shutdown();
      await sql.end();
    }
    return { ...figures, rowsPerRun: ((await rowWrites(url)) - rowsBefore) / runs };
  } finally {
    const a = openSql(serverUrl, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await a.end();
  }
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }));
  return results;
}
