import { AsyncLocalStorage } from "node:async_hooks";
import type { TemplateKey } from "@hogsend/email";
import type { SendEmailResult, TemplatePropsOf } from "../mail/types.js";

interface SendEmailFields {
  to: string;
  userId?: string;
  /** The run id (`user.stateId`). */
  journeyStateId: string;
  subject?: string;
  journeyName?: string;
  category?: string;
}

/** sendEmail's argument: a registered template, with its props checked against the template's declared props. */
export type SendEmailArgs = { [K in TemplateKey]: SendEmailFields & { template: K } & TemplatePropsOf<K> }[TemplateKey];

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
export function sendEmail(args: SendEmailArgs): Promise<SendEmailResult> {
  const run = currentRun.getStore();
  if (!run) return Promise.reject(new Error("sendEmail must be called from a journey's run()"));
  if (args.journeyStateId !== run.runId) return Promise.reject(new Error(`sendEmail: journeyStateId "${args.journeyStateId}" is not the running journey state (${run.runId})`));
  // The run's own promise, as is: a call it refuses (after the execution ended) is already marked handled.
  return run.sendEmail(args);
}
