import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC signatures for ids in tracking URLs and for expiring tokens (unsubscribe, preferences).
 * A tampered or unknown id fails verification and the route answers 404.
 */
export function signId(secret: string, id: string): string {
  return createHmac("sha256", secret).update(`id:${id}`).digest("base64url").slice(0, 22);
}

/** `<id>.<sig>` → id, or null when the signature does not match. */
export function verifySignedId(secret: string, value: string): string | null {
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  return safeEqual(signId(secret, id), value.slice(dot + 1)) ? id : null;
}

export interface TokenPayload {
  /** contact id */
  c?: string;
  /** email address */
  e?: string;
  /** send id */
  s?: string;
  /** expiry, seconds since epoch */
  x: number;
}

export function makeToken(secret: string, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${createHmac("sha256", secret).update(`tok:${body}`).digest("base64url")}`;
}

export function readToken(secret: string, token: string, now: Date): TokenPayload | null {
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  if (!safeEqual(createHmac("sha256", secret).update(`tok:${body}`).digest("base64url"), token.slice(dot + 1))) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenPayload;
    return typeof payload.x === "number" && payload.x * 1000 > now.getTime() ? payload : null;
  } catch {
    return null;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
