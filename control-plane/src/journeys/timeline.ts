import type { Db } from "../db/client.js";
import type { RunRow, StepRow, WaitRow } from "./store.js";

export interface TimelineEntry {
  at: string;
  kind: "entry" | "checkpoint" | "wait" | "sleep" | "sleepUntil" | "trigger" | "email" | "guard" | "exit" | "completed" | "failed" | "diverged" | "cancelled" | "parked";
  label: string | null;
  stepKey?: string;
  detail: Record<string, unknown>;
}

/** One run's story, oldest first: entry, each step with label, kind and time, waits and their outcome, emails, the end. */
export async function runTimeline(db: Db, run: RunRow): Promise<TimelineEntry[]> {
  const [steps, waits, sends, entries] = await Promise.all([
    db<StepRow[]>`select * from journey_steps where run_id = ${run.id} order by seq`,
    db<WaitRow[]>`select * from journey_waits where run_id = ${run.id} order by created_at`,
    db<{ id: string; template: string; status: string; reason: string | null; to_address: string; created_at: Date; status_history: unknown }[]>`
      select id, template, status, reason, to_address, created_at, status_history from email_sends where run_id = ${run.id}`,
    db<{ decision: string; reason: string | null; at: Date; event_id: string | null }[]>`
      select decision, reason, at, event_id from journey_enrollments where run_id = ${run.id}`,
  ]);
  const timeline: TimelineEntry[] = [
    { at: run.started_at.toISOString(), kind: "entry", label: null, detail: { triggerEventId: run.trigger_event_id, properties: run.trigger_properties, guards: entries.map((e) => e.decision) } },
  ];
  const waitByKey = new Map(waits.map((w) => [w.step_key, w]));
  const sendById = new Map(sends.map((s) => [s.id, s]));
  for (const step of steps) {
    const detail: Record<string, unknown> = {};
    if (step.kind === "wait") {
      const wait = waitByKey.get(step.step_key);
      waitByKey.delete(step.step_key);
      Object.assign(detail, waitDetail(wait), { outcome: step.result?.timedOut ? "timeout" : "event" });
    } else if (step.kind === "email") {
      const send = sendById.get(step.result?.id);
      Object.assign(detail, { sendId: step.result?.id, template: step.result?.template, status: send?.status ?? step.result?.status, reason: send?.reason ?? step.result?.reason, to: send?.to_address });
    } else if (step.kind === "sleep" || step.kind === "sleepUntil") {
      detail.wakeAt = step.result?.wakeAt;
    } else if (step.kind === "trigger") {
      Object.assign(detail, step.result ?? {});
    } else if (step.kind === "guard") {
      detail.subscribed = step.result?.subscribed;
    }
    timeline.push({ at: step.at.toISOString(), kind: step.kind as TimelineEntry["kind"], label: step.label, stepKey: step.step_key, detail });
  }
  // Waits not yet resolved into a step: still waiting, or cut short when the run stopped.
  for (const wait of waitByKey.values()) {
    const outcome = wait.status === "cancelled" ? cancelledWaitOutcome(run.status) : wait.status;
    timeline.push({ at: wait.created_at.toISOString(), kind: "wait", label: wait.step_key, stepKey: wait.step_key, detail: { ...waitDetail(wait), outcome } });
  }
  if (run.finished_at) {
    const kind = run.status === "exited" ? "exit" : (run.status as TimelineEntry["kind"]);
    timeline.push({ at: run.finished_at.toISOString(), kind, label: null, detail: { reason: run.exit_reason, error: run.error } });
  } else if (run.status === "waiting" || run.status === "sleeping") {
    timeline.push({ at: run.updated_at.toISOString(), kind: "parked", label: run.parked_at, detail: { status: run.status, wakeAt: run.wake_at?.toISOString() ?? null } });
  }
  return timeline.sort((a, b) => a.at.localeCompare(b.at));
}

/** A cancelled wait ended with its run: by an exit, an operator's cancel, a failure, or run() returning first. */
function cancelledWaitOutcome(runStatus: string): string {
  if (runStatus === "exited") return "exit";
  if (runStatus === "completed") return "abandoned";
  return runStatus;
}

function waitDetail(wait: WaitRow | undefined) {
  if (!wait) return {};
  return { event: wait.event_name, deadline: wait.deadline.toISOString(), status: wait.status, matchedEventId: wait.matched_event_id };
}
