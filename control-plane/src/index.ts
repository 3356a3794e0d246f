/** @hogsend/engine: the library journeys, tasks, lists and sources are written against, and the service. */
export { defineJourney } from "./journeys/define.js";
export { sendEmail } from "./journeys/send-email.js";
export type { JourneyContext, JourneyDefinition, JourneyMeta, JourneyUser, WaitOptions, WaitResult } from "./journeys/types.js";
export type { Condition, ConditionBuilder } from "./journeys/conditions.js";
export { days, hours, minutes, seconds, type Duration } from "./duration.js";
export { defineTask, type TaskDefinition, type TaskInput, type TaskContext } from "./tasks/define.js";
export { getContainer } from "./tasks/container.js";
export { defineList, type ListDefinition } from "./audiences/lists.js";
export { defineBucket, type BucketDefinition } from "./audiences/buckets.js";
export { defineWebhookSource, posthogSource, type DefinedWebhookSource, type WebhookSourceDefinition, type IngestEvent } from "./sources/define.js";
export type { HogsendApp } from "./app.js";
export { createEngine, closeEngine, type Engine } from "./engine.js";
export { createHttpApp } from "./http/app.js";
export { createWorker } from "./worker/create-worker.js";
export type { SendEmailRequest, SendEmailResult, EmailService } from "./mail/types.js";
