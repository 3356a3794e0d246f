import type { AnchorHTMLAttributes, ReactNode } from "react";
import { ACTION_EVENT_ATTRIBUTE, ACTION_PROPERTIES_ATTRIBUTE } from "./sentinels.js";

/** A value an `EmailAction` payload may carry: flat scalars only. */
export type ActionScalar = string | number | boolean | null;

/** An `EmailAction` payload: a flat map of scalars. */
export type ActionProperties = Readonly<Record<string, ActionScalar>>;

export interface EmailActionProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href" | "children"> {
  /** The event recorded when the recipient clicks, e.g. `"support.followup_answered"`. */
  event: string;
  /** Properties recorded with the event. */
  properties?: ActionProperties;
  /** Where the click lands: a real URL, or `HOSTED_ANSWER_HREF` for the engine-hosted answer page. */
  href: string;
  children?: ReactNode;
}

/**
 * A semantic link: an ordinary anchor whose click the engine records as `event` with `properties`.
 * The metadata rides on `data-hs-*` attributes that the engine lifts into the tracked-link row and
 * strips from the HTML at send time — it never reaches the inbox.
 */
export function EmailAction({ event, properties, href, children, ...anchor }: EmailActionProps) {
  const metadata = {
    [ACTION_EVENT_ATTRIBUTE]: event,
    [ACTION_PROPERTIES_ATTRIBUTE]: JSON.stringify(properties ?? {}),
  };
  return (
    <a {...anchor} href={href} {...metadata}>
      {children}
    </a>
  );
}
