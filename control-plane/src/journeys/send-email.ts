import { AsyncLocalStorage } from "node:async_hooks";
import type { SendEmailResult } from "../mail/types.js";

export interface SendEmailArgs {
  to: string;
  userId?: string;
  /** The run id (`user.stateId`). */
  journeyStateId: string;
  template: string;
  subject?: string;
  journeyName?: string;
  props?: Record<string, unknown>;
  category?: string;
}

export interface EmailStepRunner {
  runId: string;
  sendEmail(args: SendEmailArgs): Promise<SendEmailResult>;
}

/** The run whose code is executing: sendEmail is a plain import, so it finds its run here. */
export const currentRun = new AsyncLocalStorage<EmailStepRunner>();

/**
 * Send an email from a journey: a memoized step, sent at most once per run and step (never twice on
 * replay or crash), under the journey's category, the recipient's preferences and the journey's `suppress` gap.
 *
 * @example
 * await sendEmail({ to: user.email, userId: user.id, journeyStateId: user.stateId,
 *   template: "support/followup", subject: "Did that fix it?", journeyName: user.journeyName, props: { ticketId } });
 */
export async function sendEmail(args: SendEmailArgs): Promise<SendEmailResult> {
  const run = currentRun.getStore();
  if (!run) throw new Error("sendEmail must be called from a journey's run()");
  if (args.journeyStateId !== run.runId) throw new Error(`sendEmail: journeyStateId "${args.journeyStateId}" is not the running journey state (${run.runId})`);
  return run.sendEmail(args);
}
