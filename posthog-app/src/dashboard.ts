import { callPostHog, type ApiContext } from "./api.js";

export type DashboardOptions = ApiContext;

const NAME = "Hogsend — email engagement";

const events = (event: string) => ({ kind: "EventsNode", event, name: event });

/** The insights: sends by template, the sent → opened → clicked funnel, and one-tap answers by value. */
function insights() {
  return [
    {
      name: "Emails sent by template",
      query: { kind: "InsightVizNode", source: { kind: "TrendsQuery", series: [{ ...events("email.sent"), math: "total" }], interval: "day",
        dateRange: { date_from: "-30d", date_to: null }, breakdownFilter: { breakdown: "template", breakdown_type: "event" }, trendsFilter: { display: "ActionsLineGraph" } } },
    },
    {
      name: "Email funnel: sent → opened → clicked",
      query: { kind: "InsightVizNode", source: { kind: "FunnelsQuery", series: [events("email.sent"), events("email.opened"), events("email.link_clicked")],
        dateRange: { date_from: "-30d" }, funnelsFilter: { funnelVizType: "steps", funnelOrderType: "ordered", funnelWindowInterval: 14, funnelWindowIntervalUnit: "day" } } },
    },
    {
      name: "Answers by value",
      query: { kind: "InsightVizNode", source: { kind: "TrendsQuery", series: [{ ...events("email.action"), math: "total" }], interval: "week",
        dateRange: { date_from: "-90d", date_to: null }, breakdownFilter: { breakdown: "answer", breakdown_type: "event" }, trendsFilter: { display: "ActionsBarValue" } } },
    },
  ];
}

/**
 * Create (or reuse, by name) a PostHog dashboard over Hogsend's engine events, with its insights.
 *
 * @example
 * const { dashboardId } = await createDashboard({ host: "https://us.posthog.com", projectId: "12345", personalApiKey: "phx_…" });
 */
export async function createDashboard(options: DashboardOptions): Promise<{ dashboardId: number; created: boolean; insightIds: number[] }> {
  const base = `/api/projects/${encodeURIComponent(options.projectId)}`;
  const list = await callPostHog<{ results: { id: number; name: string }[] }>(options, "GET", `${base}/dashboards/?limit=200`);
  const existing = list.results.find((d) => d.name === NAME);
  if (existing) return { dashboardId: existing.id, created: false, insightIds: [] };
  const dashboard = await callPostHog<{ id: number }>(options, "POST", `${base}/dashboards/`, {
    name: NAME, description: "Sends, opens, clicks and answers from Hogsend", pinned: true, tags: ["hogsend"],
  });
  const insightIds: number[] = [];
  for (const insight of insights()) {
    const created = await callPostHog<{ id: number }>(options, "POST", `${base}/insights/`, { ...insight, dashboards: [dashboard.id], tags: ["hogsend"] });
    insightIds.push(created.id);
  }
  return { dashboardId: dashboard.id, created: true, insightIds };
}
