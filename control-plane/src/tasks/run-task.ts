import type { Engine } from "../engine.js";
import { parseTimeout, type TaskInput } from "./define.js";
import { withEngine } from "./container.js";

export const DEFAULT_TASK_TIMEOUT = 15 * 60_000;

/** Run one task for one event. A throw (or a timeout) fails the attempt; graphile-worker retries per `retries`. */
export async function runTask(engine: Engine, payload: TaskInput & { task: string }, attempt: number): Promise<unknown> {
  const task = engine.registry.tasks.get(payload.task);
  if (!task) throw new Error(`task "${payload.task}" is not defined in this deployment`);
  const { task: _name, ...input } = payload;
  const timeoutMs = parseTimeout(task.executionTimeout, DEFAULT_TASK_TIMEOUT);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`task "${task.name}" exceeded its executionTimeout`)), timeoutMs);
  });
  try {
    const ctx = { emailService: engine.email, log: engine.log, now: () => engine.clock.now(), attempt };
    return await Promise.race([withEngine(engine, () => task.fn(input as TaskInput, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
