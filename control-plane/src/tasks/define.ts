import type { EmailService } from "../mail/types.js";
import type { Logger } from "../log.js";

/** What a task receives: the ingested event that routed to it. */
export interface TaskInput {
  event: string;
  eventId: string;
  userId: string | null;
  userEmail: string | null;
  contactId: string | null;
  properties: Record<string, unknown>;
  [key: string]: unknown;
}

export interface TaskContext {
  emailService: EmailService;
  log: Logger;
  /** The engine clock's time. */
  now(): Date;
  /** The attempt number, from 1. */
  attempt: number;
  /** Aborted when the attempt exceeds executionTimeout: pass it to fetch and the like, or check it between steps. */
  signal: AbortSignal;
}

export interface TaskDefinition<I = any> {
  name: string;
  /** Event names that start this task; each ingested event runs it once. */
  onEvents: string[];
  /** Retries after the first attempt (default 0). */
  retries?: number;
  /** "30s", "15m", "1h", or milliseconds. */
  executionTimeout?: string | number;
  fn: (input: I, ctx: TaskContext) => Promise<unknown>;
}

/**
 * Define a durable task that runs on graphile-worker for each ingested event in `onEvents`.
 * The seeds' Hatchet `durableTask` options carry over unchanged.
 *
 * @example
 * export const csmAlert = defineTask({
 *   name: "csm-alert", onEvents: ["csm.assignment_requested"], retries: 2, executionTimeout: "15m",
 *   fn: async (input, { emailService }) => emailService.send({ to: "csm@acme.com", template: "transactional/csm-alert", props: {...} }),
 * });
 */
export function defineTask<I = TaskInput>(definition: TaskDefinition<I>): TaskDefinition<I> {
  return definition;
}

/** graphile-worker takes back a job locked this long and runs it again: an attempt must end before. */
export const MAX_TASK_TIMEOUT = 4 * 3_600_000;

export function parseTimeout(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && !(Number.isFinite(value) && value > 0)) throw new Error(`executionTimeout ${value} must be a positive number of milliseconds`);
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (ms > MAX_TASK_TIMEOUT) throw new Error(`executionTimeout ${JSON.stringify(value)} is over 4h (graphile-worker retakes a job locked longer)`);
  return ms;
}

function parseDuration(value: string): number {
  // Hatchet's form: one or more number+unit parts, "30s", "15m", "1h30m".
  const text = String(value).trim();
  if (!/^(\d+(ms|s|m|h))+$/.test(text)) throw new Error(`executionTimeout "${value}" must look like "30s", "15m", "1h" or "1h30m"`);
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(n) * units[unit as keyof typeof units];
  if (ms <= 0) throw new Error(`executionTimeout "${value}" must be longer than zero`);
  return ms;
}
