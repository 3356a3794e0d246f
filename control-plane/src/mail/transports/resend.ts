import { createHash } from "node:crypto";
import { Resend } from "resend";
import type { EmailTransport, OutgoingEmail, TransportResult } from "./types.js";

export interface ResendTransportOptions {
  apiKey: string;
  baseUrl?: string;
  maxRetries?: number;
  retryBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface ResendError {
  statusCode?: number | null;
  name?: string;
  message?: string;
}

/** 429 and 5xx are worth another try; so is a 409 for a request with the same key still in flight. */
function retryable(error: ResendError): boolean {
  const status = error.statusCode ?? 0;
  return status === 0 || status === 429 || status >= 500 || error.name === "concurrent_idempotent_requests";
}

function toApi(email: OutgoingEmail) {
  return {
    from: email.from,
    to: [email.to],
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.headers,
    replyTo: email.replyTo,
    tags: email.tags,
  };
}

/**
 * Resend through its SDK. The SDK returns errors instead of throwing and never retries, so this retries
 * 429, 5xx and network errors with exponential backoff and jitter, forwarding the same idempotency key each time.
 *
 * @example
 * const transport = createResendTransport({ apiKey: process.env.RESEND_API_KEY! });
 * await transport.send({ from, to, subject, html, text, idempotencyKey: sendId });
 */
export function createResendTransport(options: ResendTransportOptions): EmailTransport {
  const client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } as never : undefined);
  if (options.baseUrl) (client as unknown as { baseUrl: string }).baseUrl = options.baseUrl.replace(/\/$/, "");
  const maxRetries = options.maxRetries ?? 4;
  const base = options.retryBaseMs ?? 250;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function attempt<T>(call: () => Promise<{ data: T | null; error: ResendError | null }>): Promise<{ data: T } | { error: ResendError }> {
    for (let i = 0; ; i++) {
      let outcome: { data: T | null; error: ResendError | null };
      try {
        outcome = await call();
      } catch (error) {
        outcome = { data: null, error: { statusCode: 0, name: "network_error", message: (error as Error)?.message ?? String(error) } };
      }
      if (!outcome.error && outcome.data) return { data: outcome.data };
      const error = outcome.error ?? { statusCode: 0, name: "empty_response", message: "no data" };
      if (!retryable(error) || i >= maxRetries) return { error };
      await sleep(base * 2 ** i * (0.5 + Math.random()));
    }
  }

  const failure = (error: ResendError): TransportResult => ({
    ok: false,
    retryable: retryable(error),
    status: error.statusCode ?? 0,
    code: error.name ?? "resend_error",
    message: error.message ?? "Resend error",
  });

  return {
    name: "resend",
    async send(email) {
      const result = await attempt(() => client.emails.send(toApi(email) as never, { idempotencyKey: email.idempotencyKey }) as never);
      return "data" in result ? { ok: true, providerId: (result.data as { id: string }).id } : failure(result.error);
    },
    async sendBatch(emails) {
      const results: TransportResult[] = [];
      for (let i = 0; i < emails.length; i += 100) {
        const chunk = emails.slice(i, i + 100);
        // One key per batch, derived from its items' keys: a retried batch is the same request.
        const key = "batch:" + createHash("sha256").update(chunk.map((e) => e.idempotencyKey).join("\n")).digest("hex").slice(0, 40);
        const result = await attempt(() => client.batch.send(chunk.map(toApi) as never, { idempotencyKey: key }) as never);
        if ("data" in result) {
          const ids = (result.data as { data: { id: string }[] }).data;
          chunk.forEach((_, j) => results.push({ ok: true, providerId: ids[j]?.id ?? "" }));
        } else {
          chunk.forEach(() => results.push(failure(result.error)));
        }
      }
      return results;
    },
  };
}
