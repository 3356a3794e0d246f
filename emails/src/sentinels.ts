/**
 * Sentinel hrefs a template renders in place of URLs only the engine can know. They use the reserved
 * `.invalid` TLD (RFC 2606), so a sentinel that somehow escaped rewriting can never resolve anywhere.
 *
 * This module has no React dependency: the engine's link rewriter imports it on the hot send path.
 */

/** Land the click on the engine-hosted answer page (confirms a semantic `EmailAction` answer). */
export const HOSTED_ANSWER_HREF = "https://hogsend.invalid/answer";

/** Replaced per recipient at send time with the one-click unsubscribe URL. */
export const UNSUBSCRIBE_HREF = "https://hogsend.invalid/unsubscribe";

/** Replaced per recipient at send time with the preference-center URL. */
export const PREFERENCES_HREF = "https://hogsend.invalid/preferences";

/** Attribute carrying an `EmailAction`'s event name (stripped before sending). */
export const ACTION_EVENT_ATTRIBUTE = "data-hs-event";

/** Attribute carrying an `EmailAction`'s JSON-encoded scalar properties (stripped before sending). */
export const ACTION_PROPERTIES_ATTRIBUTE = "data-hs-properties";
