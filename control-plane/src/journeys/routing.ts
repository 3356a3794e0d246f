import type { Engine } from "../engine.js";
import type { Tx } from "../db/client.js";
import type { ContactRow } from "../identity/contacts.js";
import type { RunExit, StoredEvent } from "../ingest/types.js";
import { evaluateCondition, type Condition } from "./conditions.js";
import { enrollContact } from "./enroll.js";
import { exitRun, matchWait } from "./store.js";

/** A live run of the event's contact whose stored exitOn names the event (read when the event is stored). */
export interface ExitCandidate {
  id: string;
  journey_id: string;
  exit_on: { event: string; condition: Condition | null }[];
}

/**
 * exitOn: every live run of the contact that exits on this event is stopped, mid-wait or mid-sleep. The rules
 * are the ones stored with each run when it entered, so a deploy that changes exitOn leaves live runs as they were.
 */
export async function exitRuns(engine: Engine, tx: Tx, event: StoredEvent, runs: ExitCandidate[]): Promise<RunExit[]> {
  const exits: RunExit[] = [];
  for (const run of runs) {
    const rules = run.exit_on.filter((r) => r.event === event.name);
    if (!rules.length) continue;
    const matched = rules.some((r) => evaluateCondition(r.condition, event.properties));
    const exited = matched && (await exitRun(tx, run.id, `exitOn:${event.name}`, engine.clock.now()));
    exits.push({ journeyId: run.journey_id, runId: run.id, exited });
  }
  return exits;
}

/**
 * Waiting runs of this contact for this event: each wait is resolved once (compare-and-set from
 * 'waiting'), so an event and a timeout at the same instant take exactly one branch.
 */
export async function resumeWaits(
  engine: Engine,
  tx: Tx,
  event: StoredEvent,
  waits: { id: string; run_id: string; condition: Condition | null }[],
): Promise<void> {
  const now = engine.clock.now();
  for (const wait of waits) {
    if (!evaluateCondition(wait.condition, event.properties)) continue;
    await matchWait(tx, wait.id, event, now);
  }
}

/** Enrollment facts as the statement storing an event read them (JSON). */
export type StoredEnrollmentFacts = { enabled: boolean | null; last_entered_at: string | null; live: boolean };

/**
 * Journeys triggered by this event: each runs its enrollment guards, on the facts read with the event when
 * they show no live run. A live run seen there is read again: this event may have just exited it, or its
 * worker finished it since (the store does not wait for that), and a skip must rest on a current read.
 */
export async function enrollJourneys(engine: Engine, tx: Tx, event: StoredEvent, contact: ContactRow, stored: Record<string, StoredEnrollmentFacts> | null = null): Promise<void> {
  for (const journey of engine.registry.journeysByTrigger.get(event.name) ?? []) {
    const read = stored?.[journey.meta.id];
    const facts = read && !read.live ? { enabled: read.enabled, lastEnteredAt: read.last_entered_at ? new Date(read.last_entered_at) : null, live: false } : undefined;
    await enrollContact(engine, tx, journey, contact, event, { facts });
  }
}
