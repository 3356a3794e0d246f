/**
 * The run state machine (docs/journeys.md draws it):
 *
 *   running ──park on sleep──► sleeping ──deadline──► running
 *   running ──park on wait───► waiting  ──event / timeout──► running
 *   running ──returns──► completed        running ──throws past retries──► failed
 *   any live ──exitOn──► exited           any live ──operator──► cancelled
 *   running ──replay meets a different step──► diverged
 */
export const RUN_STATUSES = ["running", "waiting", "sleeping", "completed", "exited", "failed", "cancelled", "diverged"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Queries spell these out as the literal `status in ('running', 'waiting', 'sleeping')`: a parameter list
 * would hide from the planner that the live-run partial indexes apply.
 */
export const LIVE_STATUSES: RunStatus[] = ["running", "waiting", "sleeping"];
export const isLive = (status: string): boolean => (LIVE_STATUSES as string[]).includes(status);
