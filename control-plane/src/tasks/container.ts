import { AsyncLocalStorage } from "node:async_hooks";
import type { Engine } from "../engine.js";
import type { EmailService } from "../mail/types.js";

const active = new AsyncLocalStorage<Engine>();
let processEngine: Engine | undefined;

export function setProcessEngine(engine: Engine) {
  processEngine = engine;
}

export function withEngine<T>(engine: Engine, fn: () => Promise<T>): Promise<T> {
  return active.run(engine, fn);
}

/**
 * The running engine's services, for task code written in the seeds' style:
 * `const { emailService } = getContainer();`
 */
export function getContainer(): { emailService: EmailService; engine: Engine } {
  const engine = active.getStore() ?? processEngine;
  if (!engine) throw new Error("getContainer: no engine is running in this process");
  return { emailService: engine.email, engine };
}
