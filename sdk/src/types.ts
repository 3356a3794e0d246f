/** At least one of email or userId: a call with neither does not compile. */
export type Identity = { email: string; userId?: string } | { email?: string; userId: string };

export type Properties = Record<string, unknown>;
export type ListsBag = Record<string, boolean>;

export type UpsertContactInput = Identity & { properties?: Properties; lists?: ListsBag };
export interface UpsertContactResult {
  id: string;
  created: boolean;
  linked: boolean;
}

export interface Contact {
  id: string;
  email: string | null;
  userId: string | null;
  properties: Properties;
  unsubscribed: boolean;
  createdAt: string;
  updatedAt: string;
}

export type FindContactInput = { email: string; userId?: never } | { userId: string; email?: never };

export type SendEventInput = Identity & {
  name: string;
  eventProperties?: Properties;
  contactProperties?: Properties;
  lists?: ListsBag;
  timestamp?: Date | string;
  idempotencyKey?: string;
};

export interface SendEventResult {
  stored: boolean;
  exits: { journeyId: string; runId: string; exited: boolean }[];
}

export interface SendEmailInput {
  to: string;
  template: string;
  props?: Properties;
  subject?: string;
  userId?: string;
  category?: string;
  idempotencyKey?: string;
  skipPreferenceCheck?: boolean;
}

export interface SendEmailResult {
  id: string | null;
  status: "sent" | "queued" | "skipped" | "failed";
  reason?: string;
}

type Audience = { list: string; bucket?: never } | { bucket: string; list?: never };
export type SendCampaignInput = Audience & {
  template: string;
  props?: Properties;
  subject?: string;
  idempotencyKey: string;
  sendAt?: Date | string;
};

export interface Campaign {
  id: string;
  status: string;
  totalRecipients: number;
  sentCount: number;
  skippedCount: number;
  failedCount: number;
  [key: string]: unknown;
}

export interface List {
  id: string;
  name: string;
  description: string | null;
  defaultOptIn: boolean;
}
