import { callPostHog, type ApiContext } from "./api.js";
import { DESTINATION_MARKER, loadDestinationTemplate } from "./template.js";

export interface InstallOptions extends ApiContext {
  /** The control plane's webhook URL: `https://…/v1/webhooks/posthog`. */
  controlPlaneUrl: string;
  secret: string;
  dryRun?: boolean;
}

export interface PlannedRequest {
  method: string;
  url: string;
  body: unknown;
}

export interface InstallResult {
  action: "created" | "updated" | "dry-run";
  id?: string;
  request: PlannedRequest;
}

interface HogFunctionSummary {
  id: string;
  name: string;
  description?: string;
  type?: string;
}

const REDACTED = "[redacted]";

/**
 * Create the Hogsend destination in a PostHog project through its REST API, or update the one made before
 * (found by the marker in its description), pointing at the control plane with the given secret.
 *
 * @example
 * await installDestination({ host: "https://us.posthog.com", projectId: "12345", personalApiKey: "phx_…",
 *   controlPlaneUrl: "https://hogsend.example.com/v1/webhooks/posthog", secret });
 */
export async function installDestination(options: InstallOptions): Promise<InstallResult> {
  const template = loadDestinationTemplate();
  const base = `/api/environments/${encodeURIComponent(options.projectId)}/hog_functions/`;
  const body = {
    type: "destination",
    name: template.name,
    description: template.description,
    icon_url: template.icon_url,
    enabled: true,
    hog: template.hog,
    inputs_schema: template.inputs_schema,
    inputs: { url: { value: options.controlPlaneUrl }, secret: { value: options.secret }, debug: { value: false } },
    filters: template.filters,
  };
  const redacted = { ...body, inputs: { ...body.inputs, secret: { value: REDACTED } } };
  const host = options.host.replace(/\/$/, "");
  if (options.dryRun) {
    return { action: "dry-run", request: { method: "POST or PATCH", url: `${host}${base}`, body: redacted } };
  }
  const existing = await findExisting(options, base);
  if (existing) {
    const updated = await callPostHog<{ id: string }>(options, "PATCH", `${base}${existing.id}/`, body);
    return { action: "updated", id: updated.id ?? existing.id, request: { method: "PATCH", url: `${host}${base}${existing.id}/`, body: redacted } };
  }
  const created = await callPostHog<{ id: string }>(options, "POST", base, body);
  return { action: "created", id: created.id, request: { method: "POST", url: `${host}${base}`, body: redacted } };
}

async function findExisting(options: ApiContext, base: string): Promise<HogFunctionSummary | undefined> {
  let path: string | null = `${base}?type=destination&limit=100`;
  while (path) {
    const page: { results: HogFunctionSummary[]; next: string | null } = await callPostHog(options, "GET", path);
    const mine = page.results.find((f) => f.description?.includes(DESTINATION_MARKER));
    if (mine) return mine;
    path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  return undefined;
}
