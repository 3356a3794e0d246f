import type { Engine } from "../engine.js";
import type { EngineTask } from "../worker/tasks.js";
import { Jobs } from "../worker/jobs.js";
import { sendToPostHog } from "./posthog.js";
import { sendToWebhook } from "./webhook.js";

interface DeliveryRow {
  id: string;
  destination: string;
  event_id: string;
  payload: any;
  status: string;
  attempts: number;
}

/**
 * Deliver one outbox row. A failure is recorded and rethrown, so graphile-worker retries with its
 * exponential backoff; after the last attempt the row is dead-lettered (listed and replayable in the admin API).
 */
export async function deliver(engine: Engine, deliveryId: string, attempt: number, maxAttempts: number): Promise<void> {
  const [row] = await engine.sql<DeliveryRow[]>`select * from deliveries where id = ${deliveryId}`;
  if (!row || row.status !== "pending") return;
  try {
    if (row.destination === "posthog") await sendToPostHog(engine, { eventId: row.event_id, payload: row.payload });
    else if (row.destination === "webhook") await sendToWebhook(engine, { id: row.id, payload: row.payload });
    await engine.sql`update deliveries set status = 'delivered', attempts = attempts + 1, last_error = null, updated_at = ${engine.clock.now()}
                     where id = ${row.id} and status = 'pending'`;
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    const dead = attempt >= maxAttempts;
    await engine.sql`update deliveries set attempts = attempts + 1, last_error = ${message}, status = ${dead ? "dead" : "pending"}, updated_at = ${engine.clock.now()}
                     where id = ${row.id} and status = 'pending'`;
    if (!dead) throw error;
    engine.log.warn("delivery dead-lettered", { deliveryId: row.id, destination: row.destination, error: message });
  }
}

export function destinationJobs(engine: Engine): Record<string, EngineTask> {
  return {
    [Jobs.delivery]: async ({ deliveryId }, { attempt, maxAttempts }) => deliver(engine, deliveryId, attempt, maxAttempts),
  };
}
