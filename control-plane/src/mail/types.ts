/** A request to send one email: from a journey (sendEmail), a task (emailService.send) or the API. */
export interface SendEmailRequest {
  to: string;
  template: string;
  props?: Record<string, unknown>;
  subject?: string;
  userId?: string | null;
  /** Overrides the template's category (a list id, "journey", "marketing"…); transactional templates keep theirs. */
  category?: string;
  idempotencyKey?: string;
  /** Transactional category only; over the API it needs a full-admin key. */
  skipPreferenceCheck?: boolean;
  /** Set by the journey runtime. */
  journey?: { journeyId: string; runId: string; stepKey: string; suppressMs: number };
  campaignId?: string;
  contactId?: string | null;
}

export type SendStatus = "sent" | "queued" | "skipped" | "failed";

export interface SendEmailResult {
  id: string | null;
  status: SendStatus;
  reason?: string;
}

export interface EmailService {
  send(request: SendEmailRequest): Promise<SendEmailResult>;
}
