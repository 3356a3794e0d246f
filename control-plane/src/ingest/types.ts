export type Json = Record<string, unknown>;

/** One event, from any source, on its way into the pipeline. */
export interface IngestInput {
  name: string;
  email?: string | null;
  userId?: string | null;
  /** A PostHog distinct_id (the PostHog source). */
  distinctId?: string | null;
  /** Engine events name their contact directly. */
  contactId?: string | null;
  eventProperties?: Json;
  contactProperties?: Json;
  /** A PostHog person-property snapshot (timezones, cohort criteria). */
  personProperties?: Json;
  lists?: Record<string, boolean>;
  timestamp?: Date;
  idempotencyKey?: string | null;
  /** api, posthog, webhook:<id>, journey, engine, task */
  source: string;
}

export interface RunExit {
  journeyId: string;
  runId: string;
  exited: boolean;
}

export interface IngestResult {
  stored: boolean;
  eventId: string | null;
  contactId: string | null;
  exits: RunExit[];
}

export interface StoredEvent {
  id: string;
  name: string;
  contactId: string | null;
  properties: Json;
  occurredAt: Date;
  receivedAt: Date;
  source: string;
}

export const RESERVED_NAMESPACES = ["email.", "journey.", "bucket.", "contact."] as const;

export function isReservedName(name: string): boolean {
  return RESERVED_NAMESPACES.some((ns) => name.startsWith(ns));
}
