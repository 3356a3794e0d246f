import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One email as the fake received it (Resend's snake_case wire format). */
export interface ReceivedEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  tags?: { name: string; value: string }[];
  idempotencyKey?: string;
}

/**
 * A local Resend API for tests and benches, built from the documented wire format (fixtures/resend):
 * POST /emails and /emails/batch, Bearer auth, validation errors, 429s on demand, and Idempotency-Key
 * semantics (same key + same body → the first response; same key + another body → 409).
 */
export async function startFakeResend(options: { apiKey?: string } = {}) {
  const sent: ReceivedEmail[] = [];
  const requests: { path: string; headers: IncomingMessage["headers"]; body: unknown }[] = [];
  const byKey = new Map<string, { body: string; status: number; response: unknown }>();
  let failures: { count: number; status: number; body: unknown }[] = [];
  let latencyMs = 0;
  let recordRequests = true;

  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, name: string, message: string, headers?: Record<string, string>) =>
    reply(res, status, { statusCode: status, message, name }, headers);

  function validate(email: Record<string, unknown>): string | null {
    for (const field of ["from", "to", "subject"]) if (!email[field]) return `Missing \`${field}\` field.`;
    if (!email.html && !email.text) return "Missing `html` or `text` field.";
    return null;
  }

  function accept(email: Record<string, unknown>, key?: string): ReceivedEmail {
    const received: ReceivedEmail = {
      id: randomUUID(),
      from: String(email.from),
      to: Array.isArray(email.to) ? (email.to as string[]) : [String(email.to)],
      subject: String(email.subject),
      html: email.html as string | undefined,
      text: email.text as string | undefined,
      headers: email.headers as Record<string, string> | undefined,
      tags: email.tags as ReceivedEmail["tags"],
      idempotencyKey: key,
    };
    // Quiet (benches): keep who and what, not the bodies.
    sent.push(recordRequests ? received : { id: received.id, from: received.from, to: received.to, subject: received.subject });
    return received;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
      const raw = Buffer.concat(chunks).toString("utf8");
      // Idempotency compares bodies by digest: a bench's 100,000 keys must not keep 100,000 bodies.
      const digest = createHash("sha1").update(raw).digest("hex");
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return error(res, req.headers.authorization ? 403 : 401, req.headers.authorization ? "invalid_api_key" : "missing_api_key", "API key is invalid");
      }
      const failure = failures[0];
      if (failure) {
        if (--failure.count <= 0) failures = failures.slice(1);
        return reply(res, failure.status, failure.body, failure.status === 429 ? { "retry-after": "1" } : {});
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return error(res, 400, "validation_error", "Invalid JSON body");
      }
      if (recordRequests) requests.push({ path: req.url ?? "", headers: req.headers, body });
      const key = req.headers["idempotency-key"] as string | undefined;
      if (key) {
        const previous = byKey.get(key);
        if (previous) {
          if (previous.body !== digest) return error(res, 409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
          return reply(res, previous.status, previous.response);
        }
      }
      let status = 200;
      let response: unknown;
      if (req.method === "POST" && req.url === "/emails") {
        const problem = validate(body as Record<string, unknown>);
        if (problem) return error(res, 422, "missing_required_field", problem);
        response = { id: accept(body as Record<string, unknown>, key).id };
      } else if (req.method === "POST" && req.url === "/emails/batch") {
        if (!Array.isArray(body) || body.length > 100) return error(res, 422, "validation_error", "A batch is an array of at most 100 emails.");
        for (const item of body) {
          const problem = validate(item);
          if (problem) return error(res, 422, "missing_required_field", problem);
        }
        response = { data: body.map((item) => ({ id: accept(item, key).id })) };
      } else {
        return error(res, 404, "not_found", "Route not found");
      }
      if (key) byKey.set(key, { body: digest, status, response });
      reply(res, status, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sent,
    requests,
    /** The next `count` requests answer `status` with Resend's error body. */
    failNext(count: number, status: number, body?: unknown) {
      if (count <= 0) return;
      failures.push({ count, status, body: body ?? { statusCode: status, message: status === 429 ? "Too many requests." : "Internal server error", name: status === 429 ? "rate_limit_exceeded" : "internal_server_error" } });
    },
    /** Stop failing: the outage is over. */
    recover() {
      failures = [];
    },
    setLatency(ms: number) {
      latencyMs = ms;
    },
    /** Benches: keep no per-request log. */
    quiet() {
      recordRequests = false;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>;
