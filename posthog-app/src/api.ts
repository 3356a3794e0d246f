/** An error answer from PostHog's REST API, with its status and `detail`. */
export class PostHogApiError extends Error {
  constructor(readonly status: number, readonly detail: string, readonly attr?: string) {
    super(`PostHog answered ${status}: ${detail}${attr ? ` (${attr})` : ""}`);
    this.name = "PostHogApiError";
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiContext {
  host: string;
  projectId: string;
  personalApiKey: string;
  fetch?: FetchLike;
}

/** Call PostHog's REST API with a personal API key; a non-2xx answer throws PostHogApiError. */
export async function callPostHog<T>(ctx: ApiContext, method: string, path: string, body?: unknown): Promise<T> {
  const doFetch = ctx.fetch ?? fetch;
  const response = await doFetch(`${ctx.host.replace(/\/$/, "")}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.personalApiKey}`, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  if (!response.ok) throw new PostHogApiError(response.status, parsed?.detail ?? (text.slice(0, 200) || response.statusText), parsed?.attr);
  return parsed as T;
}
