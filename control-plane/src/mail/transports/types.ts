/** One email ready for a provider: rendered, tracked, with its headers and idempotency key. */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  replyTo?: string;
  tags?: { name: string; value: string }[];
  /** The provider's idempotency key: the send id, so a re-handed send is never delivered twice. */
  idempotencyKey: string;
}

export type TransportResult =
  | { ok: true; providerId: string }
  | { ok: false; retryable: boolean; status: number; code: string; message: string };

export interface EmailTransport {
  name: string;
  /** The stored send row is the delivery (the local outbox): a send is recorded as sent, id `<name>:<send id>`, with no call out. */
  deliveredOnRecord?: boolean;
  send(email: OutgoingEmail): Promise<TransportResult>;
  sendBatch?(emails: OutgoingEmail[]): Promise<TransportResult[]>;
}
