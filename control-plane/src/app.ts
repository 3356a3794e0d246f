import { buildCondition } from "./journeys/conditions.js";
import type { CompiledJourney, JourneyDefinition } from "./journeys/types.js";
import { parseTimeout, type TaskDefinition } from "./tasks/define.js";
import { BUILT_IN_CATEGORIES, LIST_ID, RESERVED_LIST_IDS, type ListDefinition } from "./audiences/lists.js";
import type { BucketDefinition } from "./audiences/buckets.js";
import { posthogSource, type DefinedWebhookSource, type WebhookSourceDefinition } from "./sources/define.js";
import { MAX_WAIT } from "./duration.js";
import { exploreJourney, type JourneyShape } from "./journeys/explore.js";

/** Everything an app defines in code: what createEngine, createApp and createWorker are given. */
export interface HogsendApp {
  /** Journeys, each typed by its trigger event's properties if declared. */
  journeys?: JourneyDefinition<any, any>[];
  tasks?: TaskDefinition<any>[];
  lists?: ListDefinition[];
  buckets?: BucketDefinition[];
  webhookSources?: DefinedWebhookSource[];
}

export interface AppRegistry {
  journeys: Map<string, CompiledJourney>;
  journeysByTrigger: Map<string, CompiledJourney[]>;
  tasks: Map<string, TaskDefinition<any>>;
  tasksByEvent: Map<string, TaskDefinition<any>[]>;
  /** App lists plus the built-in categories. */
  lists: Map<string, ListDefinition>;
  buckets: Map<string, BucketDefinition>;
  sources: Map<string, WebhookSourceDefinition<any>>;
  warnings: string[];
  /** What each journey's code can reach (templates, waits, labels), from checkJourneyCode. */
  shapes: Map<string, JourneyShape>;
}

export class AppDefinitionError extends Error {}

function fail(where: string, field: string, message: string): never {
  throw new AppDefinitionError(`${where}: ${field} ${message}`);
}

/** Check an app's definitions and index them. An invalid definition fails start-up naming it and the field. */
export function compileApp(app: HogsendApp, knownTemplates: Set<string>): AppRegistry {
  const registry: AppRegistry = {
    journeys: new Map(),
    journeysByTrigger: new Map(),
    tasks: new Map(),
    tasksByEvent: new Map(),
    lists: new Map(BUILT_IN_CATEGORIES.map((l) => [l.id, l])),
    buckets: new Map(),
    sources: new Map(),
    warnings: [],
    shapes: new Map(),
  };

  for (const list of app.lists ?? []) {
    const where = `list "${list.id}"`;
    if (!LIST_ID.test(list.id ?? "")) fail(where, "id", "must match [a-z0-9_-]+");
    if (RESERVED_LIST_IDS.includes(list.id)) fail(where, "id", "is reserved");
    if (registry.lists.has(list.id) && !BUILT_IN_CATEGORIES.some((c) => c.id === list.id)) fail(where, "id", "is defined twice");
    if (typeof list.defaultOptIn !== "boolean") fail(where, "defaultOptIn", "must be true or false");
    registry.lists.set(list.id, list);
  }

  for (const journey of app.journeys ?? []) {
    const meta = journey.meta;
    const where = `journey "${meta?.id ?? "?"}"`;
    if (!meta?.id) fail(where, "meta.id", "is required");
    if (registry.journeys.has(meta.id)) fail(where, "meta.id", "is defined twice");
    if (!meta.name) fail(where, "meta.name", "is required");
    if (typeof meta.enabled !== "boolean") fail(where, "meta.enabled", "must be true or false");
    if (!meta.trigger?.event) fail(where, "meta.trigger.event", "is required");
    if (!["once", "once_per_period", "unlimited"].includes(meta.entryLimit)) fail(where, "meta.entryLimit", 'must be "once", "once_per_period" or "unlimited"');
    if (meta.entryLimit === "once_per_period" && !(typeof meta.entryPeriod === "number" && meta.entryPeriod > 0))
      fail(where, "meta.entryPeriod", 'is required with entryLimit "once_per_period"');
    if (typeof meta.suppress !== "number" || !Number.isFinite(meta.suppress) || meta.suppress < 0) fail(where, "meta.suppress", "is required (a duration, e.g. hours(12))");
    if (typeof journey.run !== "function") fail(where, "run", "must be an async function");
    if (meta.category && meta.category !== "journey" && !registry.lists.has(meta.category)) fail(where, "meta.category", `"${meta.category}" is not a list or category`);
    for (const template of meta.templates ?? []) {
      if (!knownTemplates.has(template)) fail(where, "template", `"${template}" is not a registered template`);
    }
    const compiled: CompiledJourney = {
      ...journey,
      triggerCondition: buildCondition(meta.trigger.where),
      exitOn: (meta.exitOn ?? []).map((e, i) => {
        if (!e?.event) fail(where, `meta.exitOn[${i}].event`, "is required");
        return { event: e.event, condition: buildCondition(e.where) };
      }),
    };
    registry.journeys.set(meta.id, compiled);
    push(registry.journeysByTrigger, meta.trigger.event, compiled);
  }

  for (const task of app.tasks ?? []) {
    const where = `task "${task.name ?? "?"}"`;
    if (!task.name) fail(where, "name", "is required");
    if (registry.tasks.has(task.name)) fail(where, "name", "is defined twice");
    if (!Array.isArray(task.onEvents) || task.onEvents.length === 0) fail(where, "onEvents", "must list at least one event");
    if (task.onEvents.some((e) => typeof e !== "string" || !e)) fail(where, "onEvents", "must be event names");
    if (typeof task.fn !== "function") fail(where, "fn", "must be an async function");
    if (task.retries !== undefined && !(Number.isInteger(task.retries) && task.retries >= 0 && task.retries <= 100)) fail(where, "retries", "must be a whole number from 0 to 100");
    try {
      parseTimeout(task.executionTimeout, 1);
    } catch (error) {
      fail(where, "executionTimeout", (error as Error).message.replace(/^executionTimeout /, ""));
    }
    registry.tasks.set(task.name, task);
    for (const event of task.onEvents) push(registry.tasksByEvent, event, task);
  }

  for (const bucket of app.buckets ?? []) {
    if (!bucket.id || !LIST_ID.test(bucket.id)) fail(`bucket "${bucket.id ?? "?"}"`, "id", "must match [a-z0-9_-]+");
    if (registry.buckets.has(bucket.id)) fail(`bucket "${bucket.id}"`, "id", "is defined twice");
    registry.buckets.set(bucket.id, bucket);
  }

  for (const source of app.webhookSources ?? []) {
    if (source === posthogSource) continue;
    const id = source.meta?.id;
    if (!id || !LIST_ID.test(id)) fail(`webhook source "${id ?? "?"}"`, "meta.id", "must match [a-z0-9_-]+");
    if (id === "posthog" || id === "email") fail(`webhook source "${id}"`, "meta.id", "is reserved");
    if (registry.sources.has(id)) fail(`webhook source "${id}"`, "meta.id", "is defined twice");
    registry.sources.set(id, source);
  }
  return registry;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The start-up checks that need the journey's code to be explored: every template it can send must be
 * registered, and a wait for an event also in its exitOn gets a warning when code follows its receipt.
 */
export async function checkJourneyCode(registry: AppRegistry, knownTemplates: Set<string>): Promise<void> {
  for (const journey of registry.journeys.values()) {
    const where = `journey "${journey.meta.id}"`;
    const shape = await exploreJourney(journey);
    for (const template of shape.templates) {
      if (!knownTemplates.has(template)) fail(where, "template", `"${template}" is not a registered template`);
    }
    for (const waited of shape.stepsAfterExitEvent) {
      const warning = `${where} waits for "${waited}", also exits on it, and has steps after receiving it: the exit wins and they never run`;
      if (!registry.warnings.includes(warning)) registry.warnings.push(warning);
    }
    registry.shapes.set(journey.meta.id, shape);
  }
}

export { MAX_WAIT };
