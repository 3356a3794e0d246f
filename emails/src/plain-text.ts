import { HOSTED_ANSWER_HREF, PREFERENCES_HREF, UNSUBSCRIBE_HREF } from "./sentinels.js";

/**
 * html-to-text selectors for the plain-text part: a link to a sentinel href keeps its label but drops
 * the URL, so no `hogsend.invalid` address ever reaches a text-only reader. (The HTML part has its
 * sentinels replaced at send time; the text part is sent as rendered.)
 */
export const SENTINEL_LINK_SELECTORS = [HOSTED_ANSWER_HREF, UNSUBSCRIBE_HREF, PREFERENCES_HREF].map((href) => ({
  selector: `a[href="${href}"]`,
  format: "anchor",
  options: { ignoreHref: true },
}));
