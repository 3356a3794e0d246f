import { HogsendError } from "./errors.js";
import type {
  Campaign, Contact, FindContactInput, Identity, List, SendCampaignInput, SendEmailInput, SendEmailResult,
  SendEventInput, SendEventResult, UpsertContactInput, UpsertContactResult,
} from "./types.js";

export interface HogsendOptions {
  baseUrl: string;
  /** An `hsk_…` API key. */
  apiKey: string;
  /** Another fetch implementation (e.g. an in-process Hono `app.request`). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Retries of network errors, 429 and 5xx (default 3). */
  maxRetries?: number;
  /** First backoff delay in ms (default 200), doubled each retry, with jitter. */
  retryBaseMs?: number;
  timeoutMs?: number;
}

interface Call {
  method: "GET" | "PUT" | "POST" | "DELETE";
  path: string;
  body?: unknown;
  idempotencyKey?: string;
}

function requireIdentity(input: { email?: string; userId?: string } | undefined) {
  if (!input || (!input.email && !input.userId)) throw new HogsendError("email or userId is required", 400, "identity_required");
}

/**
 * The `hs` client for the Hogsend Data API.
 *
 * @example
 * const hs = new Hogsend({ baseUrl: process.env.HOGSEND_BASE_URL!, apiKey: process.env.HOGSEND_DATA_KEY! });
 * await hs.contacts.upsert({ email: "ada@example.com", properties: { plan: "pro" } });
 * await hs.events.send({ name: "user.signed_up", email: "ada@example.com" });
 */
export class Hogsend {
  private readonly baseUrl: string;
  private readonly doFetch: (input: string, init: RequestInit) => Promise<Response>;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: HogsendOptions) {
    if (!options?.baseUrl) throw new HogsendError("baseUrl is required", 0, "invalid_options");
    if (!options.apiKey) throw new HogsendError("apiKey is required", 0, "invalid_options");
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 200;
  }

  readonly contacts = {
    /** Identify: create or update a contact (`PUT /v1/contacts`). Properties merge; null clears a key. */
    upsert: async (input: UpsertContactInput): Promise<UpsertContactResult> => {
      requireIdentity(input);
      return this.call({ method: "PUT", path: "/v1/contacts", body: input });
    },
    /** Find live contacts by email or userId. @example await hs.contacts.find({ email: "ada@example.com" }) */
    find: async (input: FindContactInput): Promise<Contact[]> => {
      requireIdentity(input);
      const query = input.email ? `email=${encodeURIComponent(input.email)}` : `userId=${encodeURIComponent(input.userId!)}`;
      return (await this.call<{ contacts: Contact[] }>({ method: "GET", path: `/v1/contacts/find?${query}` })).contacts;
    },
    /** Soft-delete a contact. @example await hs.contacts.delete({ userId: "user_123" }) */
    delete: async (input: FindContactInput): Promise<{ deleted: boolean; id: string | null }> => {
      requireIdentity(input);
      return this.call({ method: "DELETE", path: "/v1/contacts", body: input });
    },
  };

  readonly events = {
    /**
     * Track an event (`POST /v1/events`); retried with one idempotency key, so it is never ingested twice.
     * @example await hs.events.send({ name: "user.signed_up", userId: "u1", eventProperties: { plan: "pro" } })
     */
    send: (input: SendEventInput): Promise<SendEventResult> => this.sendEvent(input),
    /** Alias of `send`. */
    track: (input: SendEventInput): Promise<SendEventResult> => this.sendEvent(input),
  };

  readonly emails = {
    /** Send one templated email. @example await hs.emails.send({ to, template: "transactional/verify-email", props }) */
    send: (input: SendEmailInput): Promise<SendEmailResult> => {
      const idempotencyKey = input.idempotencyKey ?? crypto.randomUUID();
      return this.call({ method: "POST", path: "/v1/emails", body: { ...input, idempotencyKey }, idempotencyKey });
    },
  };

  readonly campaigns = {
    /** Broadcast a template to a list or bucket; 202 with the campaign id. */
    send: (input: SendCampaignInput): Promise<{ campaignId: string }> => {
      const body = { ...input, sendAt: input.sendAt instanceof Date ? input.sendAt.toISOString() : input.sendAt };
      return this.call({ method: "POST", path: "/v1/campaigns", body, idempotencyKey: input.idempotencyKey });
    },
    /** A campaign's progress. */
    get: (campaignId: string): Promise<Campaign> => this.call({ method: "GET", path: `/v1/campaigns/${encodeURIComponent(campaignId)}` }),
    /** Stop a campaign at its next chunk. */
    cancel: (campaignId: string): Promise<Campaign> => this.call({ method: "POST", path: `/v1/campaigns/${encodeURIComponent(campaignId)}/cancel`, body: {} }),
  };

  readonly lists = {
    /** The lists defined in code. */
    list: async (): Promise<List[]> => (await this.call<{ lists: List[] }>({ method: "GET", path: "/v1/lists" })).lists,
    /** @example await hs.lists.subscribe("product-updates", { email: "ada@example.com" }) */
    subscribe: async (listId: string, identity: Identity) => {
      requireIdentity(identity);
      return this.call<{ listId: string; subscribed: boolean }>({ method: "POST", path: `/v1/lists/${encodeURIComponent(listId)}/subscribe`, body: identity });
    },
    unsubscribe: async (listId: string, identity: Identity) => {
      requireIdentity(identity);
      return this.call<{ listId: string; subscribed: boolean }>({ method: "POST", path: `/v1/lists/${encodeURIComponent(listId)}/unsubscribe`, body: identity });
    },
  };

  private async sendEvent(input: SendEventInput): Promise<SendEventResult> {
    requireIdentity(input);
    const idempotencyKey = input.idempotencyKey ?? crypto.randomUUID();
    const body = { ...input, idempotencyKey, timestamp: input.timestamp instanceof Date ? input.timestamp.toISOString() : input.timestamp };
    return this.call({ method: "POST", path: "/v1/events", body, idempotencyKey });
  }

  private async call<T>(call: Call): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: "application/json" };
        if (call.body !== undefined) headers["content-type"] = "application/json";
        if (call.idempotencyKey) headers["idempotency-key"] = call.idempotencyKey;
        response = await this.doFetch(this.baseUrl + call.path, {
          method: call.method,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: this.options.timeoutMs ? AbortSignal.timeout(this.options.timeoutMs) : undefined,
        });
      } catch (error) {
        if (attempt < this.maxRetries) {
          await this.backoff(attempt, null);
          continue;
        }
        throw new HogsendError(`network error: ${(error as Error)?.message ?? error}`, 0, "network_error");
      }
      if (response.ok) return (await response.json()) as T;
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && attempt < this.maxRetries) {
        await response.body?.cancel();
        await this.backoff(attempt, response.headers.get("retry-after"));
        continue;
      }
      let body: { error?: { code?: string; message?: string; details?: unknown } } = {};
      try {
        body = await response.json();
      } catch {}
      throw new HogsendError(body.error?.message ?? `HTTP ${response.status}`, response.status, body.error?.code ?? "http_error", body.error?.details);
    }
  }

  private backoff(attempt: number, retryAfter: string | null): Promise<void> {
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    const delay = Number.isFinite(seconds) ? Math.min(seconds * 1000, 30_000) : this.retryBaseMs * 2 ** attempt * (0.5 + Math.random());
    return new Promise((resolve) => setTimeout(resolve, delay));
  }
}
