import { invalidField } from "../errors.js";

const EMAIL = /^[^\s@<>(),;:"\[\]]+@[^\s@<>(),;:"\[\]]+\.[^\s@<>(),;:"\[\]]+$/;

/** Emails are matched case-insensitively and stored lower-cased. */
export function normalizeEmail(email: string, field = "email"): string {
  const value = email.trim().toLowerCase();
  if (value.length > 320 || !EMAIL.test(value)) throw invalidField(field, "must be a valid email address");
  return value;
}

export function isEmail(value: string): boolean {
  return value.length <= 320 && EMAIL.test(value.trim().toLowerCase());
}
