import { createElement, type ComponentType } from "react";
import { plainTextSelectors } from "@react-email/render";
import { compile } from "html-to-text";
import type { z } from "zod";
import { SENTINEL_LINK_SELECTORS } from "./plain-text.js";
import { renderHtml } from "./render.js";
import { BackInStock, backInStockSchema, type BackInStockProps } from "./templates/ecommerce/back-in-stock.js";
import { ProductUpdate, productUpdateSchema, type ProductUpdateProps } from "./templates/marketing/product-update.js";
import { ConciergeIntro, conciergeIntroSchema, type ConciergeIntroProps } from "./templates/onboarding/concierge-intro.js";
import {
  EnterpriseWelcome,
  enterpriseWelcomeSchema,
  type EnterpriseWelcomeProps,
} from "./templates/onboarding/enterprise-welcome.js";
import { SupportFollowup, supportFollowupSchema, type SupportFollowupProps } from "./templates/support/followup.js";
import { CsmAlert, csmAlertSchema, type CsmAlertProps } from "./templates/transactional/csm-alert.js";
import { SupportAlert, supportAlertSchema, type SupportAlertProps } from "./templates/transactional/support-alert.js";
import { VerifyEmail, verifyEmailSchema, type VerifyEmailProps } from "./templates/transactional/verify-email.js";

/**
 * Template key → props. Augment it to add an app's own templates, then register them with
 * `defineTemplate`:
 *
 * ```ts
 * declare module "@hogsend/email" {
 *   interface TemplateProps { "billing/receipt": { amount: number } }
 * }
 * ```
 */
export interface TemplateProps {
  "transactional/verify-email": VerifyEmailProps;
  "transactional/csm-alert": CsmAlertProps;
  "transactional/support-alert": SupportAlertProps;
  "onboarding/concierge-intro": ConciergeIntroProps;
  "onboarding/enterprise-welcome": EnterpriseWelcomeProps;
  "support/followup": SupportFollowupProps;
  "ecommerce/back-in-stock": BackInStockProps;
  "marketing/product-update": ProductUpdateProps;
}

export type TemplateKey = keyof TemplateProps;

/**
 * Who the mail is for, which decides the preference rules the engine applies: `transactional` (sent
 * regardless of subscriptions, no unsubscribe footer), `journey`, `marketing`, or a list id.
 */
export type TemplateCategory = "transactional" | "journey" | "marketing" | (string & {});

export interface TemplateDefinition<P = unknown, K extends string = string> {
  key: K;
  component: ComponentType<P>;
  category: TemplateCategory;
  defaultSubject: string;
  /** Validates (and may normalise, e.g. trim) the props before rendering. */
  props: z.ZodType<P>;
  /** Props for previews and tests; must pass `props`. */
  sampleProps: P;
}

/** The definition registered under a typed key. */
export type TemplateFor<K extends TemplateKey> = TemplateDefinition<TemplateProps[K], K>;

// Definitions are stored loosely typed; the typed API below restores the types per key.
type StoredTemplate = TemplateDefinition<any, string>;

/** Every registered template by key (built-ins plus anything registered by the app). */
export const templates: Readonly<Record<string, StoredTemplate>> = Object.create(null);

const mutableTemplates = templates as Record<string, StoredTemplate>;

/** Thrown by `registerTemplate` on a key that already names a different definition. */
export class DuplicateTemplateError extends Error {
  constructor(readonly key: string) {
    super(`template "${key}" is already registered`);
    this.name = "DuplicateTemplateError";
  }
}

/**
 * Add a definition to the registry. Registering the same definition twice is a no-op; a different
 * definition under a taken key throws unless `replace` is set.
 */
export function registerTemplate<K extends TemplateKey>(
  definition: TemplateFor<K>,
  options: { replace?: boolean } = {},
): TemplateFor<K> {
  const existing = mutableTemplates[definition.key];
  if (existing && existing !== definition && !options.replace) throw new DuplicateTemplateError(definition.key);
  mutableTemplates[definition.key] = definition;
  return definition;
}

/** Remove a key's definition (a test putting the registry back as it found it). */
export function unregisterTemplate(key: string): void {
  delete mutableTemplates[key as TemplateKey];
}

/** Build a typed definition for `key` and register it. */
export function defineTemplate<K extends TemplateKey>(
  key: K,
  definition: Omit<TemplateFor<K>, "key">,
): TemplateFor<K> {
  return registerTemplate<K>({ ...definition, key } as TemplateFor<K>);
}

export function getTemplate<K extends TemplateKey>(key: K): TemplateFor<K> | undefined;
export function getTemplate(key: string): TemplateDefinition<unknown> | undefined;
export function getTemplate(key: string): StoredTemplate | undefined {
  return Object.hasOwn(templates, key) ? templates[key] : undefined;
}

export function listTemplates(): TemplateDefinition<unknown>[] {
  return Object.values(templates);
}

export interface TemplatePropsIssue {
  /** Dotted path into the props, e.g. `"ticketId"`; empty for the props object itself. */
  path: string;
  message: string;
}

export type TemplatePropsValidation<P> =
  | { ok: true; props: P }
  | { ok: false; issues: TemplatePropsIssue[] };

/** Thrown by `renderTemplate` for an unknown key or props that fail the template's schema. */
export class TemplatePropsError extends Error {
  constructor(
    readonly key: string,
    readonly issues: TemplatePropsIssue[],
  ) {
    super(`invalid props for template "${key}": ${issues.map(formatIssue).join("; ")}`);
    this.name = "TemplatePropsError";
  }
}

function formatIssue(issue: TemplatePropsIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** Missing fields read "Required" rather than zod's "expected string, received undefined". */
const parseOptions = {
  error: (issue: { code?: string; input?: unknown }) =>
    issue.code === "invalid_type" && issue.input === undefined ? "Required" : undefined,
};

/** Check props against the template's schema; on success `props` is the parsed (normalised) value. */
export function validateTemplateProps<K extends TemplateKey>(
  key: K,
  props: unknown,
): TemplatePropsValidation<TemplateProps[K]> {
  const definition = getTemplate(key as string);
  if (!definition) return { ok: false, issues: [{ path: "", message: `"${String(key)}" is not a registered template` }] };
  const result = definition.props.safeParse(props, parseOptions);
  if (result.success) return { ok: true, props: result.data as TemplateProps[K] };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map((part) => String(part)).join("."),
      message: issue.message,
    })),
  };
}

export interface RenderedEmail {
  html: string;
  /** The plain-text alternative. Sentinel links (answer, unsubscribe, preferences) appear as their label only. */
  text: string;
}

/** `props` may be left out when every prop of the template is optional. */
export type TemplatePropsArg<K extends TemplateKey> = {} extends TemplateProps[K]
  ? [props?: TemplateProps[K]]
  : [props: TemplateProps[K]];

/**
 * Validate props and render a registered template to HTML and plain text. Throws
 * `TemplatePropsError` for an unknown key or invalid props.
 */
export async function renderTemplate<K extends TemplateKey>(key: K, ...args: TemplatePropsArg<K>): Promise<RenderedEmail> {
  const definition = getTemplate(key as string);
  if (!definition) throw new TemplatePropsError(String(key), [{ path: "", message: "not a registered template" }]);
  const verdict = validateTemplateProps(key, args[0] ?? {});
  if (!verdict.ok) throw new TemplatePropsError(String(key), verdict.issues);
  return renderElement(definition.component, verdict.props);
}

/**
 * Render any component with the registry's conventions, without validation. The HTML is what
 * `render(el)` of `@react-email/render` produces (see `renderHtml`); the plain text is derived from
 * it with the conversion `render(el, { plainText: true })` applies, so the tree renders once.
 */
export async function renderElement<P>(component: ComponentType<P>, props: P): Promise<RenderedEmail> {
  const html = await renderHtml(createElement(component as ComponentType<any>, props as any));
  return { html, text: toPlainText(html) };
}

// React Email's `toPlainText` options, compiled once: compiling them costs more than converting a message.
const toPlainText = compile({ wordwrap: false, selectors: [...plainTextSelectors, ...SENTINEL_LINK_SELECTORS] });

// ── Built-in templates ────────────────────────────────────────────────────────────────────────────

defineTemplate("transactional/verify-email", {
  component: VerifyEmail,
  category: "transactional",
  defaultSubject: "Verify your email address",
  props: verifyEmailSchema,
  sampleProps: { firstName: "Ada", verifyUrl: "https://app.example.com/verify?token=sample-token" },
});

defineTemplate("transactional/csm-alert", {
  component: CsmAlert,
  category: "transactional",
  defaultSubject: "New enterprise signup",
  props: csmAlertSchema,
  sampleProps: {
    customerEmail: "ada@example.com",
    customerId: "user_123",
    seats: 250,
    reminder: false,
    requestedAt: "2026-06-17T09:30:00.000Z",
  },
});

defineTemplate("transactional/support-alert", {
  component: SupportAlert,
  category: "transactional",
  defaultSubject: "Reopen requested",
  props: supportAlertSchema,
  sampleProps: { ticketId: "4821", customerEmail: "ada@example.com", answeredAt: "2026-06-18T09:12:00.000Z" },
});

defineTemplate("onboarding/concierge-intro", {
  component: ConciergeIntro,
  category: "journey",
  defaultSubject: "Next steps for your rollout",
  props: conciergeIntroSchema,
  sampleProps: { csmName: "Sarah" },
});

defineTemplate("onboarding/enterprise-welcome", {
  component: EnterpriseWelcome,
  category: "journey",
  defaultSubject: "Getting your team set up",
  props: enterpriseWelcomeSchema,
  sampleProps: { firstName: "Ada" },
});

defineTemplate("support/followup", {
  component: SupportFollowup,
  category: "journey",
  defaultSubject: "Did we fix it?",
  props: supportFollowupSchema,
  sampleProps: { ticketId: "4821" },
});

defineTemplate("ecommerce/back-in-stock", {
  component: BackInStock,
  category: "marketing",
  defaultSubject: "Back in stock",
  props: backInStockSchema,
  sampleProps: { sku: "chair-01", productName: "Studio chair", productUrl: "https://shop.example.com/p/chair-01" },
});

defineTemplate("marketing/product-update", {
  component: ProductUpdate,
  category: "marketing",
  defaultSubject: "What's new",
  props: productUpdateSchema,
  sampleProps: {
    headline: "Scheduled exports are here",
    body: "You can now schedule any report to land in your inbox every morning.\n\nSet it up once from the report menu and forget about it.",
    ctaUrl: "https://app.example.com/changelog/scheduled-exports",
    ctaLabel: "See how it works",
  },
});
