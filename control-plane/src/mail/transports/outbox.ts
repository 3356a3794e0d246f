import type { EmailTransport } from "./types.js";

/**
 * The embedded default when no provider key is set: the send row itself, with its rendered HTML, is the
 * outbox (admin API and Studio list it), so a fresh install sends somewhere a user can look.
 */
export function createOutboxTransport(): EmailTransport {
  return {
    name: "outbox",
    deliveredOnRecord: true,
    async send(email) {
      return { ok: true, providerId: `outbox:${email.idempotencyKey}` };
    },
  };
}
