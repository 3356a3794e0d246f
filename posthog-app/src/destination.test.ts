import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertHogToJS, execAsync } from "@posthog/hogvm";
import { compileHog, HogCompileError } from "./compile.js";
import { loadDestinationTemplate } from "./template.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../shared/fixtures/posthog/${name}`, import.meta.url), "utf8"));

let received: { method: string; url: string; headers: Record<string, unknown>; body: any }[] = [];
let answer = 200;
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body: JSON.parse(body) });
    res.writeHead(answer, { "content-type": "application/json" });
    res.end(JSON.stringify(answer < 300 ? { stored: true } : { error: { code: "unauthorized" } }));
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/posthog`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** PostHog's fetch, as the CDP provides it to Hog: a dict body is sent as JSON. */
async function hogFetch(target: string, options: unknown) {
  const o = convertHogToJS(options) as { method: string; headers: Record<string, string>; body: unknown };
  const response = await fetch(target, { method: o.method, headers: o.headers, body: typeof o.body === "string" ? o.body : JSON.stringify(o.body) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body };
}

async function runDestination(payload: { event: unknown; person: unknown }, inputs = { url: "", secret: "s3cret-shared-secret", debug: false }) {
  const bytecode = await compileHog(loadDestinationTemplate().hog);
  return execAsync(bytecode, {
    globals: { event: payload.event, person: payload.person, inputs: { ...inputs, url }, project: { id: 12345, name: "Acme", url: "https://us.posthog.com/project/12345" } },
    asyncFunctions: { fetch: hogFetch },
  });
}

describe("the Hog destination on PostHog's VM", () => {
  it("posts { event, person } with the secret, as JSON", async () => {
    received = [];
    answer = 200;
    const payload = fixture("destination-webhook-payload.json");
    const result = await runDestination(payload);
    expect(result.finished).toBe(true);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/v1/webhooks/posthog");
    expect(request.headers["x-hogsend-secret"]).toBe("s3cret-shared-secret");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body.event).toEqual({
      uuid: payload.event.uuid,
      event: payload.event.event,
      distinct_id: payload.event.distinct_id,
      properties: payload.event.properties,
      timestamp: payload.event.timestamp,
      elements_chain: payload.event.elements_chain ?? null,
    });
    expect(request.body.person).toEqual(payload.person);
  });

  it("sends person: null for events without a person", async () => {
    received = [];
    answer = 200;
    await runDestination(fixture("destination-webhook-payload-no-person.json"));
    expect(received[0].body.person).toBeNull();
  });

  it("throws on a non-2xx answer so PostHog retries", async () => {
    answer = 500;
    await expect(runDestination(fixture("destination-webhook-payload.json"))).rejects.toThrow(/Hogsend answered 500/);
    answer = 401;
    await expect(runDestination(fixture("destination-webhook-payload.json"))).rejects.toThrow(/401/);
    answer = 200;
  });

  it("the compiler refuses what it cannot compile, naming it", async () => {
    await expect(compileHog("let x := ")).rejects.toThrow(HogCompileError);
    await expect(compileHog("for (let i := 0; i < 3; i := i + 1) { print(i) }")).rejects.toThrow(/unsupported statement/);
  });

  it("compiles the subset correctly: locals, blocks, if/else, and/or/not, arithmetic", async () => {
    const bytecode = await compileHog(`
      let a := 2
      let b := {'x': [1, 2, a * 3]}
      if (a > 1 and not (a == 5) or false) {
        let c := a + 10
        a := c
      } else {
        a := 0
      }
      return {'a': a, 'b': b.x, 'greet': f'hi {a}'}`);
    const result = await execAsync(bytecode, { globals: {} });
    expect(convertHogToJS(result.result)).toEqual({ a: 12, b: [1, 2, 6], greet: "hi 12" });
  });
});
