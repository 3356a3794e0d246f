import {
  ACTION_EVENT_ATTRIBUTE,
  ACTION_PROPERTIES_ATTRIBUTE,
  PREFERENCES_HREF,
  UNSUBSCRIBE_HREF,
} from "@hogsend/email/sentinels";

/**
 * Send-time link rewriting: a pure string pass over rendered HTML, no DOM.
 *
 * - every `<a href="http(s)://…">` (and the hosted-answer sentinel) becomes a tracked link row and its
 *   href the signed click URL `${baseUrl}/t/c/${id}.${sig}`;
 * - `EmailAction` metadata (`data-hs-event`, `data-hs-properties`) is lifted into the row and stripped
 *   from every anchor, so it never reaches the inbox;
 * - the unsubscribe / preferences sentinels become the recipient's URLs (not click-tracked); when no
 *   URL is supplied (transactional mail) the whole link element is removed rather than sent dead;
 * - `mailto:`, `tel:`, `#fragment` and relative links are left alone;
 * - a 1×1 open pixel goes in just before `</body>`.
 */

export type LinkScalar = string | number | boolean | null;

export interface TrackedLink {
  /** `${sendId}.${position}` — stable for a given send and HTML. */
  id: string;
  /** 0-based order among the tracked links of the message. */
  position: number;
  /** Where the click redirects; the hosted-answer sentinel itself for answer links. */
  url: string;
  actionEvent?: string;
  actionProperties?: Record<string, LinkScalar>;
}

export interface RewriteOptions {
  sendId: string;
  /** Public origin of the tracking routes, e.g. `https://mail.example.com`. */
  baseUrl: string;
  /** Signs an id (link id or send id) for use in a URL. */
  sign: (id: string) => string;
  /** The `HOSTED_ANSWER_HREF` sentinel of `@hogsend/email`. */
  hostedAnswerHref: string;
  unsubscribeUrl?: string;
  preferencesUrl?: string;
}

export interface RewriteResult {
  html: string;
  links: TrackedLink[];
}

/** Skipped plain comments (`<!-- -->`, `<!--$-->`), or the start of an anchor tag. Conditional
 * comments (`<!--[if mso]>`) are not skipped: Outlook renders what is inside them. */
const TOKEN = /<!--(?!\[if)[\s\S]*?-->|<a(?=[\s/>])/gi;
const CLOSE_ANCHOR = /<\/a\s*>/gi;
const CLOSE_BODY = /<\/body\s*>/gi;
const HTTP_URL = /^https?:\/\//i;

export function rewriteForTracking(html: string, options: RewriteOptions): RewriteResult {
  const base = options.baseUrl.replace(/\/+$/, "");
  const links: TrackedLink[] = [];
  let out = "";
  let copied = 0;

  const token = new RegExp(TOKEN.source, TOKEN.flags);
  let match: RegExpExecArray | null;
  while ((match = token.exec(html)) !== null) {
    if (match[0].length > 2) continue; // a comment
    const start = match.index;
    const tag = parseAttributes(html, start + 2);
    if (!tag) break; // unterminated tag: leave the rest as it is
    token.lastIndex = tag.end;

    let hrefAttr: Attribute | undefined;
    let eventAttr: Attribute | undefined;
    let propertiesAttr: Attribute | undefined;
    for (const attr of tag.attrs) {
      if (attr.name === "href") hrefAttr ??= attr;
      else if (attr.name === ACTION_EVENT_ATTRIBUTE) eventAttr ??= attr;
      else if (attr.name === ACTION_PROPERTIES_ATTRIBUTE) propertiesAttr ??= attr;
    }
    const hasMetadata = tag.attrs.some((a) => a.name.startsWith("data-hs-"));
    const href = hrefAttr?.value != null ? decodeEntities(hrefAttr.value).trim() : undefined;

    let newHref: string | undefined;
    if (href === UNSUBSCRIBE_HREF || href === PREFERENCES_HREF) {
      const url = href === UNSUBSCRIBE_HREF ? options.unsubscribeUrl : options.preferencesUrl;
      if (url === undefined) {
        // No URL for this recipient: drop the element, text and all.
        CLOSE_ANCHOR.lastIndex = tag.end;
        const close = CLOSE_ANCHOR.exec(html);
        const end = close ? close.index + close[0].length : tag.end;
        out += html.slice(copied, start);
        copied = end;
        token.lastIndex = end;
        continue;
      }
      newHref = url;
    } else if (href !== undefined && (href === options.hostedAnswerHref || HTTP_URL.test(href))) {
      const position = links.length;
      const id = `${options.sendId}.${position}`;
      const link: TrackedLink = { id, position, url: href };
      const event = eventAttr?.value != null ? decodeEntities(eventAttr.value).trim() : "";
      if (event) {
        link.actionEvent = event;
        link.actionProperties = parseProperties(propertiesAttr?.value);
      }
      links.push(link);
      newHref = `${base}/t/c/${encodeURIComponent(`${id}.${options.sign(id)}`)}`;
    } else if (!hasMetadata) {
      continue; // mailto:, tel:, #fragment, relative, no href: untouched
    }

    out += html.slice(copied, start + 2); // through "<a" (or "<A")
    let cursor = start + 2;
    for (const attr of tag.attrs) {
      if (!attr.name.startsWith("data-hs-")) {
        // The separator before a kept attribute; never let two attributes run together.
        out += cursor === attr.start ? " " : html.slice(cursor, attr.start);
        out += attr === hrefAttr && newHref !== undefined ? `href="${escapeAttribute(newHref)}"` : html.slice(attr.start, attr.end);
      }
      cursor = attr.end;
    }
    out += html.slice(cursor, tag.end);
    copied = tag.end;
  }
  out += html.slice(copied);

  const pixel = `<img src="${escapeAttribute(`${base}/t/o/${encodeURIComponent(`${options.sendId}.${options.sign(options.sendId)}`)}`)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0"/>`;
  const bodyEnd = lastCloseBody(out);
  out = bodyEnd < 0 ? out + pixel : out.slice(0, bodyEnd) + pixel + out.slice(bodyEnd);

  return { html: out, links };
}

interface Attribute {
  /** Lower-cased name. */
  name: string;
  /** Raw (still entity-encoded) value; null for a bare attribute. */
  value: string | null;
  /** Where the attribute ends (after the value and closing quote). */
  end: number;
  /** Where the attribute's own text begins, i.e. its name: what precedes it is the separator. */
  start: number;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12;
}

/**
 * Attributes of a start tag whose name ends at `i`, up to the closing `>`, honouring quotes (a `>`
 * inside a quoted value does not end the tag). Null when the tag never closes.
 */
function parseAttributes(html: string, i: number): { attrs: Attribute[]; end: number } | null {
  const attrs: Attribute[] = [];
  const length = html.length;
  while (i < length) {
    let code = html.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    if (code === 62 /* > */) return { attrs, end: i + 1 };
    if (code === 47 /* / */ || code === 61 /* = */) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < length) {
      code = html.charCodeAt(i);
      if (isSpace(code) || code === 62 || code === 47 || code === 61) break;
      i++;
    }
    const name = html.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < length && isSpace(html.charCodeAt(j))) j++;
    let value: string | null = null;
    if (html.charCodeAt(j) === 61 /* = */) {
      j++;
      while (j < length && isSpace(html.charCodeAt(j))) j++;
      const quote = html.charCodeAt(j);
      if (quote === 34 /* " */ || quote === 39 /* ' */) {
        const close = html.indexOf(quote === 34 ? '"' : "'", j + 1);
        if (close < 0) return null;
        value = html.slice(j + 1, close);
        i = close + 1;
      } else {
        const valueStart = j;
        while (j < length) {
          code = html.charCodeAt(j);
          if (isSpace(code) || code === 62) break;
          j++;
        }
        value = html.slice(valueStart, j);
        i = j;
      }
    }
    attrs.push({ name, value, start: nameStart, end: i });
  }
  return null;
}

function parseProperties(raw: string | null | undefined): Record<string, LinkScalar> {
  const properties: Record<string, LinkScalar> = {};
  if (!raw) return properties;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeEntities(raw));
  } catch {
    return properties;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return properties;
  for (const [key, value] of Object.entries(parsed)) {
    if (
      value === null ||
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value))
    ) {
      properties[key] = value;
    }
  }
  return properties;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};
/** Entities that HTML also honours without the trailing semicolon. */
const LEGACY_ENTITIES = new Set(["amp", "lt", "gt", "quot", "nbsp"]);
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{0,31}))(;?)/g;

/** Decode the character references an attribute value can carry (as a browser would). */
export function decodeEntities(value: string): string {
  if (!value.includes("&")) return value;
  return value.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined, semi: string, offset: number, all: string) => {
    if (name !== undefined) {
      const char = Object.hasOwn(NAMED_ENTITIES, name) ? NAMED_ENTITIES[name] : undefined;
      if (char === undefined) return whole;
      if (!semi) {
        // In an attribute, `&amp=` and unknown-without-semicolon stay literal (as browsers do).
        if (!LEGACY_ENTITIES.has(name) || all.charCodeAt(offset + whole.length) === 61) return whole;
      }
      return char;
    }
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
    return String.fromCodePoint(code);
  });
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => (c === "&" ? "&amp;" : c === '"' ? "&quot;" : c === "<" ? "&lt;" : "&gt;"));
}

function lastCloseBody(html: string): number {
  const exact = html.lastIndexOf("</body>");
  if (exact >= 0) return exact;
  let found = -1;
  const re = new RegExp(CLOSE_BODY.source, CLOSE_BODY.flags);
  let m: RegExpExecArray | null;
  while ((m = re.exec(html)) !== null) found = m.index;
  return found;
}
