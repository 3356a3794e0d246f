import { defineTask, type TaskInput } from "../../src/index.js";
import { Events, Templates } from "../constants.js";

const CSM_INBOX = process.env.CSM_ALERT_EMAIL ?? "csm@example.com";

/** Emails the CSM inbox when a journey pages a human. Operator mail: transactional, never preference-gated. */
export const csmAlertTask = defineTask<TaskInput>({
  name: "csm-alert",
  onEvents: [Events.CSM_ASSIGNMENT_REQUESTED],
  retries: 2,
  executionTimeout: "15m",
  fn: async (input, { emailService }) => {
    const userId = typeof input.userId === "string" ? input.userId : "";
    if (!userId) return { status: "skipped", reason: "missing_user_id" };
    const customerEmail = typeof input.userEmail === "string" ? input.userEmail : userId;
    const props = input.properties ?? {};
    const reminder = props.reminder === true;
    const requestedAt = String(props.requestedAt ?? input.eventId);
    const result = await emailService.send({
      template: Templates.CSM_ALERT,
      to: CSM_INBOX,
      subject: reminder ? `[CSM — reminder] enterprise signup waiting: ${customerEmail}` : `[CSM] new enterprise signup: ${customerEmail}`,
      props: { customerEmail, customerId: userId, seats: Number(props.seats ?? 0), reminder, requestedAt },
      skipPreferenceCheck: true,
      // A retry of the same page short-circuits; the journey's re-page has a fresh requestedAt.
      idempotencyKey: `csm-alert:${userId}:${requestedAt}`,
    });
    return { status: result.status };
  },
});
