import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The schema. Each table has one owner module that writes it (see docs/architecture.md);
 * every hot table carries contact_id so it can be distributed by contact later.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
type Json = Record<string, unknown>;

export const engineSecrets = pgTable("engine_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    scope: text("scope").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    revokedAt: ts("revoked_at"),
    lastUsedAt: ts("last_used_at"),
  },
  (t) => [
    uniqueIndex("api_keys_hash_key").on(t.hash),
    check("api_keys_scope_check", sql`${t.scope} in ('ingest', 'read', 'journey-admin', 'full-admin')`),
  ],
);

export const contacts = pgTable(
  "contacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email"),
    userId: text("user_id"),
    properties: jsonb("properties").$type<Json>().notNull().default({}),
    /** The last PostHog person-property snapshot (timezones, cohort criteria). */
    personProperties: jsonb("person_properties").$type<Json>().notNull().default({}),
    unsubscribedAt: ts("unsubscribed_at"),
    deletedAt: ts("deleted_at"),
    mergedInto: uuid("merged_into"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("contacts_email_live_key").on(t.email).where(sql`${t.mergedInto} is null and ${t.deletedAt} is null`),
    uniqueIndex("contacts_user_id_live_key").on(t.userId).where(sql`${t.mergedInto} is null and ${t.deletedAt} is null`),
    index("contacts_created_at_idx").on(t.createdAt),
  ],
);

/** Old keys of merged contacts, and PostHog distinct_ids: each resolves to one canonical contact. */
export const contactAliases = pgTable(
  "contact_aliases",
  {
    kind: text("kind").notNull(),
    value: text("value").notNull(),
    contactId: uuid("contact_id").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.value] }),
    index("contact_aliases_contact_idx").on(t.contactId),
    check("contact_aliases_kind_check", sql`${t.kind} in ('email', 'user_id', 'distinct_id')`),
  ],
);

export const events = pgTable(
  "events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    contactId: uuid("contact_id"),
    name: text("name").notNull(),
    properties: jsonb("properties").$type<Json>().notNull().default({}),
    source: text("source").notNull(),
    idempotencyKey: text("idempotency_key"),
    occurredAt: ts("occurred_at").notNull(),
    receivedAt: ts("received_at").notNull(),
  },
  (t) => [
    uniqueIndex("events_idempotency_key").on(t.idempotencyKey),
    index("events_contact_name_idx").on(t.contactId, t.name, t.occurredAt),
    index("events_name_received_idx").on(t.name, t.receivedAt),
    index("events_received_idx").on(t.receivedAt),
  ],
);

export const listMemberships = pgTable(
  "list_memberships",
  {
    contactId: uuid("contact_id").notNull(),
    listId: text("list_id").notNull(),
    subscribed: boolean("subscribed").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.listId] }),
    // Counts per list, and an opt-in list's subscribers in contact order (campaign resolution's keyset).
    index("list_memberships_list_idx").on(t.listId, t.subscribed, t.contactId),
  ],
);

export const suppressions = pgTable("suppressions", {
  email: text("email").primaryKey(),
  reason: text("reason").notNull(),
  permanentBounces: integer("permanent_bounces").notNull().default(0),
  suppressed: boolean("suppressed").notNull().default(false),
  updatedAt: ts("updated_at").notNull(),
});

export const journeySettings = pgTable("journey_settings", {
  journeyId: text("journey_id").primaryKey(),
  enabled: boolean("enabled").notNull(),
  updatedAt: ts("updated_at").notNull(),
});

export const journeyRuns = pgTable(
  "journey_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    journeyId: text("journey_id").notNull(),
    contactId: uuid("contact_id").notNull(),
    status: text("status").notNull(),
    triggerEventId: uuid("trigger_event_id"),
    triggerProperties: jsonb("trigger_properties").$type<Json>().notNull().default({}),
    exitOn: jsonb("exit_on").$type<unknown[]>().notNull().default([]),
    wakeAt: ts("wake_at"),
    parkedAt: text("parked_at"),
    exitReason: text("exit_reason"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    startedAt: ts("started_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    check(
      "journey_runs_status_check",
      sql`${t.status} in ('running', 'waiting', 'sleeping', 'completed', 'exited', 'failed', 'cancelled', 'diverged')`,
    ),
    uniqueIndex("journey_runs_one_live_key")
      .on(t.journeyId, t.contactId)
      .where(sql`${t.status} in ('running', 'waiting', 'sleeping')`),
    index("journey_runs_contact_live_idx").on(t.contactId).where(sql`${t.status} in ('running', 'waiting', 'sleeping')`),
    index("journey_runs_journey_status_idx").on(t.journeyId, t.status, t.startedAt),
  ],
);

export const journeySteps = pgTable(
  "journey_steps",
  {
    runId: uuid("run_id").notNull(),
    stepKey: text("step_key").notNull(),
    seq: integer("seq").notNull(),
    kind: text("kind").notNull(),
    label: text("label"),
    result: jsonb("result"),
    contactId: uuid("contact_id").notNull(),
    at: ts("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepKey] })],
);

export const journeyWaits = pgTable(
  "journey_waits",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id").notNull(),
    stepKey: text("step_key").notNull(),
    /** The wait's position among the run's steps, for replay's order check while it has no step row. */
    seq: integer("seq"),
    contactId: uuid("contact_id").notNull(),
    eventName: text("event_name").notNull(),
    condition: jsonb("condition"),
    deadline: ts("deadline").notNull(),
    status: text("status").notNull(),
    matchedEventId: uuid("matched_event_id"),
    matchedProperties: jsonb("matched_properties").$type<Json>(),
    createdAt: ts("created_at").notNull(),
    resolvedAt: ts("resolved_at"),
  },
  (t) => [
    uniqueIndex("journey_waits_run_step_key").on(t.runId, t.stepKey),
    index("journey_waits_waiting_idx").on(t.contactId, t.eventName).where(sql`${t.status} = 'waiting'`),
    check("journey_waits_status_check", sql`${t.status} in ('waiting', 'matched', 'timed_out', 'cancelled')`),
  ],
);

export const journeyEntries = pgTable(
  "journey_entries",
  {
    journeyId: text("journey_id").notNull(),
    contactId: uuid("contact_id").notNull(),
    lastEnteredAt: ts("last_entered_at").notNull(),
    entryCount: integer("entry_count").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.journeyId, t.contactId] })],
);

/** Every enrollment decision, entered or skipped with its reason. */
export const journeyEnrollments = pgTable(
  "journey_enrollments",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    journeyId: text("journey_id").notNull(),
    contactId: uuid("contact_id").notNull(),
    eventId: uuid("event_id"),
    decision: text("decision").notNull(),
    reason: text("reason"),
    runId: uuid("run_id"),
    at: ts("at").notNull(),
  },
  (t) => [index("journey_enrollments_journey_idx").on(t.journeyId, t.at), index("journey_enrollments_contact_idx").on(t.contactId)],
);

export const emailSends = pgTable(
  "email_sends",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key").notNull(),
    contactId: uuid("contact_id"),
    to: text("to_address").notNull(),
    template: text("template").notNull(),
    category: text("category").notNull(),
    subject: text("subject").notNull(),
    props: jsonb("props").$type<Json>().notNull().default({}),
    status: text("status").notNull(),
    reason: text("reason"),
    statusHistory: jsonb("status_history").$type<{ status: string; at: string; reason?: string }[]>().notNull().default([]),
    transport: text("transport"),
    providerId: text("provider_id"),
    journeyId: text("journey_id"),
    runId: uuid("run_id"),
    campaignId: uuid("campaign_id"),
    html: text("html"),
    text: text("text"),
    headers: jsonb("headers").$type<Record<string, string>>(),
    attempts: integer("attempts").notNull().default(0),
    openCount: integer("open_count").notNull().default(0),
    firstOpenedAt: ts("first_opened_at"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
    sentAt: ts("sent_at"),
  },
  (t) => [
    uniqueIndex("email_sends_idempotency_key").on(t.idempotencyKey),
    index("email_sends_contact_idx").on(t.contactId, t.createdAt),
    index("email_sends_status_idx").on(t.status, t.createdAt),
    index("email_sends_created_idx").on(t.createdAt),
    index("email_sends_journey_to_idx").on(t.journeyId, t.to, t.sentAt),
    index("email_sends_campaign_idx").on(t.campaignId),
    check("email_sends_status_check", sql`${t.status} in ('queued', 'sent', 'delivered', 'skipped', 'failed', 'bounced', 'complained')`),
  ],
);

export const trackedLinks = pgTable(
  "tracked_links",
  {
    id: text("id").primaryKey(),
    sendId: uuid("send_id").notNull(),
    position: integer("position").notNull(),
    url: text("url").notNull(),
    actionEvent: text("action_event"),
    actionProperties: jsonb("action_properties").$type<Json>(),
    clickCount: integer("click_count").notNull().default(0),
    firstClickedAt: ts("first_clicked_at"),
  },
  (t) => [index("tracked_links_send_idx").on(t.sendId)],
);

/** Semantic-link answers: provisional on click, confirmed (or dropped as a scanner burst) by a job. */
export const linkAnswers = pgTable(
  "link_answers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sendId: uuid("send_id").notNull(),
    linkId: text("link_id").notNull(),
    event: text("event").notNull(),
    properties: jsonb("properties").$type<Json>().notNull().default({}),
    status: text("status").notNull(),
    clickedAt: ts("clicked_at").notNull(),
    decidedAt: ts("decided_at"),
  },
  (t) => [
    uniqueIndex("link_answers_link_key").on(t.linkId),
    uniqueIndex("link_answers_confirmed_key").on(t.sendId, t.event).where(sql`${t.status} = 'confirmed'`),
    check("link_answers_status_check", sql`${t.status} in ('provisional', 'confirmed', 'superseded', 'scanner')`),
  ],
);

export const answerComments = pgTable(
  "answer_comments",
  {
    sendId: uuid("send_id").notNull(),
    event: text("event").notNull(),
    comment: text("comment").notNull(),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sendId, t.event] })],
);

export const campaigns = pgTable(
  "campaigns",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key").notNull(),
    listId: text("list_id"),
    bucketId: text("bucket_id"),
    template: text("template").notNull(),
    subject: text("subject"),
    props: jsonb("props").$type<Json>().notNull().default({}),
    status: text("status").notNull(),
    sendAt: ts("send_at").notNull(),
    totalRecipients: integer("total_recipients").notNull().default(0),
    sentCount: integer("sent_count").notNull().default(0),
    skippedCount: integer("skipped_count").notNull().default(0),
    failedCount: integer("failed_count").notNull().default(0),
    /** Audience resolution's keyset position: the last contact id resolved into campaign_recipients. */
    cursor: uuid("cursor"),
    /** Why a campaign failed (its list, bucket or template is gone at send time). */
    error: text("error"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    uniqueIndex("campaigns_idempotency_key").on(t.idempotencyKey),
    check("campaigns_status_check", sql`${t.status} in ('scheduled', 'resolving', 'sending', 'completed', 'cancelled', 'failed')`),
    check("campaigns_audience_check", sql`(${t.listId} is null) <> (${t.bucketId} is null)`),
  ],
);

export const campaignRecipients = pgTable(
  "campaign_recipients",
  {
    campaignId: uuid("campaign_id").notNull(),
    contactId: uuid("contact_id").notNull(),
    status: text("status").notNull(),
    sendId: uuid("send_id"),
    /** Why a recipient was skipped or failed, when no send row says it (no email address). */
    reason: text("reason"),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.contactId] }),
    // The chunk query reads the next pending recipients in contact order: this index keeps it O(chunk).
    index("campaign_recipients_pending_idx").on(t.campaignId, t.contactId).where(sql`${t.status} = 'pending'`),
    check("campaign_recipients_status_check", sql`${t.status} in ('pending', 'sent', 'skipped', 'failed')`),
  ],
);

export const bucketMemberships = pgTable(
  "bucket_memberships",
  {
    bucketId: text("bucket_id").notNull(),
    contactId: uuid("contact_id").notNull(),
    enteredAt: ts("entered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucketId, t.contactId] }), index("bucket_memberships_contact_idx").on(t.contactId)],
);

export const cohortSyncs = pgTable("cohort_syncs", {
  bucketId: text("bucket_id").primaryKey(),
  cohortId: text("cohort_id").notNull(),
  lastCalculation: text("last_calculation"),
  syncedAt: ts("synced_at").notNull(),
});

/** A cohort sync's staging area: the contacts matched from PostHog's persons pages, diffed in SQL. */
export const cohortSyncMembers = pgTable(
  "cohort_sync_members",
  {
    bucketId: text("bucket_id").notNull(),
    contactId: uuid("contact_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucketId, t.contactId] })],
);

/** Outbound engine events waiting for, or done with, delivery to a destination. */
export const deliveries = pgTable(
  "deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    destination: text("destination").notNull(),
    eventId: uuid("event_id").notNull(),
    payload: jsonb("payload").$type<Json>().notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("deliveries_destination_event_key").on(t.destination, t.eventId),
    index("deliveries_status_idx").on(t.status, t.createdAt),
    check("deliveries_status_check", sql`${t.status} in ('pending', 'delivered', 'dead')`),
  ],
);

/** Live worker processes; a crashed one's graphile jobs are unlocked by the survivors. */
export const workerHeartbeats = pgTable("worker_heartbeats", {
  workerId: text("worker_id").primaryKey(),
  heartbeatAt: ts("heartbeat_at").notNull(),
});
