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
  // JavaScript cannot stop fn: at the timeout the attempt fails and fn's signal is aborted, so fn can stop itself.
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`task "${task.name}" exceeded its executionTimeout`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const ctx = { emailService: engine.email, log: engine.log, now: () => engine.clock.now(), attempt, signal: controller.signal };
    return await Promise.race([withEngine(engine, () => task.fn(input as TaskInput, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
