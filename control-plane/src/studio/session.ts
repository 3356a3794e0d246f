import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Engine } from "../engine.js";

/** A Studio session: the operator's API key, encrypted and MACed (AES-256-GCM) in an httpOnly cookie. */
export interface Session {
  key: string;
  csrf: string;
  /** Expiry, ms since epoch. */
  exp: number;
}

export const SESSION_COOKIE = "hogsend_studio";
export const SESSION_HOURS = 12;

const keyOf = (engine: Engine) => createHash("sha256").update(`studio-session:${engine.secrets.signing}`).digest();

export function sealSession(engine: Engine, session: Session): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(engine), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(session), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The session in a cookie value, or null when it is tampered, unreadable or expired. */
export function openSession(engine: Engine, value: string | undefined): Session | null {
  if (!value) return null;
  try {
    const raw = Buffer.from(value, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", keyOf(engine), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const session = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as Session;
    return session.exp > engine.clock.now().getTime() ? session : null;
  } catch {
    return null;
  }
}

export function newSession(engine: Engine, key: string): Session {
  return { key, csrf: randomBytes(16).toString("base64url"), exp: engine.clock.now().getTime() + SESSION_HOURS * 3_600_000 };
}
