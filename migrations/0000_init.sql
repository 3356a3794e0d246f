CREATE TABLE "answer_comments" (
	"send_id" uuid NOT NULL,
	"event" text NOT NULL,
	"comment" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "answer_comments_send_id_event_pk" PRIMARY KEY("send_id","event")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"scope" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_scope_check" CHECK ("api_keys"."scope" in ('ingest', 'read', 'journey-admin', 'full-admin'))
);
--> statement-breakpoint
CREATE TABLE "bucket_memberships" (
	"bucket_id" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bucket_memberships_bucket_id_contact_id_pk" PRIMARY KEY("bucket_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "campaign_recipients" (
	"campaign_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"status" text NOT NULL,
	"send_id" uuid,
	"reason" text,
	CONSTRAINT "campaign_recipients_campaign_id_contact_id_pk" PRIMARY KEY("campaign_id","contact_id"),
	CONSTRAINT "campaign_recipients_status_check" CHECK ("campaign_recipients"."status" in ('pending', 'sent', 'skipped', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text NOT NULL,
	"list_id" text,
	"bucket_id" text,
	"template" text NOT NULL,
	"subject" text,
	"props" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"total_recipients" integer DEFAULT 0 NOT NULL,
	"sent_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"cursor" uuid,
	"error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" in ('scheduled', 'resolving', 'sending', 'completed', 'cancelled', 'failed')),
	CONSTRAINT "campaigns_audience_check" CHECK (("campaigns"."list_id" is null) <> ("campaigns"."bucket_id" is null))
);
--> statement-breakpoint
CREATE TABLE "cohort_sync_members" (
	"bucket_id" text NOT NULL,
	"contact_id" uuid NOT NULL,
	CONSTRAINT "cohort_sync_members_bucket_id_contact_id_pk" PRIMARY KEY("bucket_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "cohort_syncs" (
	"bucket_id" text PRIMARY KEY NOT NULL,
	"cohort_id" text NOT NULL,
	"last_calculation" text,
	"synced_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contact_aliases" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_aliases_kind_value_pk" PRIMARY KEY("kind","value"),
	CONSTRAINT "contact_aliases_kind_check" CHECK ("contact_aliases"."kind" in ('email', 'user_id', 'distinct_id'))
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text,
	"user_id" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"person_properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"unsubscribed_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"merged_into" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"destination" text NOT NULL,
	"event_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "deliveries_status_check" CHECK ("deliveries"."status" in ('pending', 'delivered', 'dead'))
);
--> statement-breakpoint
CREATE TABLE "email_sends" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text NOT NULL,
	"contact_id" uuid,
	"to_address" text NOT NULL,
	"template" text NOT NULL,
	"category" text NOT NULL,
	"subject" text NOT NULL,
	"props" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"status_history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"transport" text,
	"provider_id" text,
	"journey_id" text,
	"run_id" uuid,
	"campaign_id" uuid,
	"html" text,
	"text" text,
	"headers" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"open_count" integer DEFAULT 0 NOT NULL,
	"first_opened_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "email_sends_status_check" CHECK ("email_sends"."status" in ('queued', 'sent', 'delivered', 'skipped', 'failed', 'bounced', 'complained'))
);
--> statement-breakpoint
CREATE TABLE "engine_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid,
	"name" text NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source" text NOT NULL,
	"idempotency_key" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_enrollments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"journey_id" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"event_id" uuid,
	"decision" text NOT NULL,
	"reason" text,
	"run_id" uuid,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_entries" (
	"journey_id" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"last_entered_at" timestamp with time zone NOT NULL,
	"entry_count" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "journey_entries_journey_id_contact_id_pk" PRIMARY KEY("journey_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "journey_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"journey_id" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"status" text NOT NULL,
	"trigger_event_id" uuid,
	"trigger_properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"exit_on" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"wake_at" timestamp with time zone,
	"parked_at" text,
	"exit_reason" text,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "journey_runs_status_check" CHECK ("journey_runs"."status" in ('running', 'waiting', 'sleeping', 'completed', 'exited', 'failed', 'cancelled', 'diverged'))
);
--> statement-breakpoint
CREATE TABLE "journey_settings" (
	"journey_id" text PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_steps" (
	"run_id" uuid NOT NULL,
	"step_key" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"label" text,
	"result" jsonb,
	"contact_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "journey_steps_run_id_step_key_pk" PRIMARY KEY("run_id","step_key")
);
--> statement-breakpoint
CREATE TABLE "journey_waits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"step_key" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"event_name" text NOT NULL,
	"condition" jsonb,
	"deadline" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"matched_event_id" uuid,
	"matched_properties" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "journey_waits_status_check" CHECK ("journey_waits"."status" in ('waiting', 'matched', 'timed_out', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "link_answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"send_id" uuid NOT NULL,
	"link_id" text NOT NULL,
	"event" text NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"clicked_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "link_answers_status_check" CHECK ("link_answers"."status" in ('provisional', 'confirmed', 'superseded', 'scanner'))
);
--> statement-breakpoint
CREATE TABLE "list_memberships" (
	"contact_id" uuid NOT NULL,
	"list_id" text NOT NULL,
	"subscribed" boolean NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "list_memberships_contact_id_list_id_pk" PRIMARY KEY("contact_id","list_id")
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"email" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"permanent_bounces" integer DEFAULT 0 NOT NULL,
	"suppressed" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tracked_links" (
	"id" text PRIMARY KEY NOT NULL,
	"send_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"url" text NOT NULL,
	"action_event" text,
	"action_properties" jsonb,
	"click_count" integer DEFAULT 0 NOT NULL,
	"first_clicked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"heartbeat_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "bucket_memberships_contact_idx" ON "bucket_memberships" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "campaign_recipients_pending_idx" ON "campaign_recipients" USING btree ("campaign_id","contact_id") WHERE "campaign_recipients"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_idempotency_key" ON "campaigns" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "contact_aliases_contact_idx" ON "contact_aliases" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_email_live_key" ON "contacts" USING btree ("email") WHERE "contacts"."merged_into" is null and "contacts"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_user_id_live_key" ON "contacts" USING btree ("user_id") WHERE "contacts"."merged_into" is null and "contacts"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "contacts_created_at_idx" ON "contacts" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_destination_event_key" ON "deliveries" USING btree ("destination","event_id");--> statement-breakpoint
CREATE INDEX "deliveries_status_idx" ON "deliveries" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "email_sends_idempotency_key" ON "email_sends" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "email_sends_contact_idx" ON "email_sends" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "email_sends_status_idx" ON "email_sends" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "email_sends_created_idx" ON "email_sends" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "email_sends_journey_to_idx" ON "email_sends" USING btree ("journey_id","to_address","sent_at");--> statement-breakpoint
CREATE INDEX "email_sends_campaign_idx" ON "email_sends" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_idempotency_key" ON "events" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "events_contact_name_idx" ON "events" USING btree ("contact_id","name","occurred_at");--> statement-breakpoint
CREATE INDEX "events_name_received_idx" ON "events" USING btree ("name","received_at");--> statement-breakpoint
CREATE INDEX "events_received_idx" ON "events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "journey_enrollments_journey_idx" ON "journey_enrollments" USING btree ("journey_id","at");--> statement-breakpoint
CREATE INDEX "journey_enrollments_contact_idx" ON "journey_enrollments" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_runs_one_live_key" ON "journey_runs" USING btree ("journey_id","contact_id") WHERE "journey_runs"."status" in ('running', 'waiting', 'sleeping');--> statement-breakpoint
CREATE INDEX "journey_runs_contact_live_idx" ON "journey_runs" USING btree ("contact_id") WHERE "journey_runs"."status" in ('running', 'waiting', 'sleeping');--> statement-breakpoint
CREATE INDEX "journey_runs_journey_status_idx" ON "journey_runs" USING btree ("journey_id","status","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_waits_run_step_key" ON "journey_waits" USING btree ("run_id","step_key");--> statement-breakpoint
CREATE INDEX "journey_waits_waiting_idx" ON "journey_waits" USING btree ("contact_id","event_name") WHERE "journey_waits"."status" = 'waiting';--> statement-breakpoint
CREATE UNIQUE INDEX "link_answers_link_key" ON "link_answers" USING btree ("link_id");--> statement-breakpoint
CREATE UNIQUE INDEX "link_answers_confirmed_key" ON "link_answers" USING btree ("send_id","event") WHERE "link_answers"."status" = 'confirmed';--> statement-breakpoint
CREATE INDEX "list_memberships_list_idx" ON "list_memberships" USING btree ("list_id","subscribed","contact_id");--> statement-breakpoint
CREATE INDEX "tracked_links_send_idx" ON "tracked_links" USING btree ("send_id");