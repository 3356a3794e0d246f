import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { StoredEvent } from "../ingest/types.js";
import { addJob, Jobs } from "../worker/jobs.js";

/** Each task whose onEvents lists this event gets one job, keyed by task and event so it runs once. */
export async function enqueueTasks(engine: Engine, tx: Tx, event: StoredEvent, contact: ContactRow | undefined): Promise<void> {
  for (const task of engine.registry.tasksByEvent.get(event.name) ?? []) {
    const payload = {
      task: task.name,
      event: event.name,
      eventId: event.id,
      // As a journey's user.id: the contact's userId, or its contact id when it is known only by email.
      userId: contact ? (contact.user_id ?? contact.id) : null,
      userEmail: contact?.email ?? null,
      contactId: contact?.id ?? null,
      properties: event.properties,
    };
    await addJob(tx, Jobs.task, payload, { runAt: engine.clock.now(), jobKey: `task:${task.name}:${event.id}`, maxAttempts: (task.retries ?? 0) + 1, jobKeyMode: "preserve_run_at" });
  }
}
