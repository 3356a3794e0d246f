import { defineTask, type TaskInput } from "../../src/index.js";
import { Events, Templates } from "../constants.js";

const SUPPORT_INBOX = process.env.SUPPORT_ALERT_EMAIL ?? "support@example.com";

/** Pages the support queue when a customer answers "no, still broken". */
export const supportAlertTask = defineTask<TaskInput>({
  name: "support-alert",
  onEvents: [Events.SUPPORT_REOPEN_REQUESTED],
  retries: 2,
  executionTimeout: "15m",
  fn: async (input, { emailService }) => {
    const userId = typeof input.userId === "string" ? input.userId : "";
    if (!userId) return { status: "skipped", reason: "missing_user_id" };
    const customerEmail = typeof input.userEmail === "string" ? input.userEmail : userId;
    const props = input.properties ?? {};
    const ticketId = String(props.ticket_id ?? "unknown");
    const answeredAt = String(props.answeredAt ?? input.eventId);
    const result = await emailService.send({
      template: Templates.SUPPORT_ALERT,
      to: SUPPORT_INBOX,
      subject: `[Reopen requested] #${ticketId} — ${customerEmail}`,
      props: { ticketId, customerEmail, answeredAt },
      skipPreferenceCheck: true,
      idempotencyKey: `support-alert:${userId}:${ticketId}:${answeredAt}`,
    });
    return { status: result.status };
  },
});
