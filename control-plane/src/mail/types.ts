import type { TemplateKey, TemplateProps } from "@hogsend/email";

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

/** A template's props argument: required unless every prop is optional. */
export type TemplatePropsOf<K extends TemplateKey> = {} extends TemplateProps[K] ? { props?: TemplateProps[K] } : { props: TemplateProps[K] };

/**
 * A send as app code writes it: the template is a registered key and its props are checked against the
 * template's declared props (TemplateProps, augmented for an app's own templates), so a wrong or missing
 * prop fails `tsc`. The service checks them again at run time.
 */
export type TypedSendEmailRequest = {
  [K in TemplateKey]: Omit<SendEmailRequest, "template" | "props"> & { template: K } & TemplatePropsOf<K>;
}[TemplateKey];

export interface EmailService {
  send(request: TypedSendEmailRequest): Promise<SendEmailResult>;
}
