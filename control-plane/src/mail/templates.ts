import { getTemplate, listTemplates, renderTemplate, validateTemplateProps, HOSTED_ANSWER_HREF } from "@hogsend/email";
import { invalidField, HogsendError } from "../errors.js";

/** The engine's view of the @hogsend/email registry. */
export interface TemplateInfo {
  key: string;
  category: string;
  defaultSubject: string;
  sampleProps: Record<string, unknown>;
}

export function templateKeys(): Set<string> {
  return new Set(listTemplates().map((t) => t.key));
}

export function templateInfo(key: string): TemplateInfo | undefined {
  const t = getTemplate(key);
  return t ? { key: t.key, category: t.category, defaultSubject: t.defaultSubject, sampleProps: t.sampleProps as Record<string, unknown> } : undefined;
}

export function allTemplates(): TemplateInfo[] {
  return listTemplates().map((t) => templateInfo(t.key)!);
}

/** Validate props for a template; throws a 400 naming the field. */
export function checkTemplateProps(key: string, props: Record<string, unknown>): Record<string, unknown> {
  if (!getTemplate(key)) throw invalidField("template", `"${key}" is not a registered template`);
  const verdict = validateTemplateProps(key as never, props);
  if (!verdict.ok) {
    const issues = verdict.issues.map((i: { path: string; message: string }) => ({ field: `props.${i.path}`, message: i.message }));
    throw new HogsendError("invalid_request", `${issues[0].field}: ${issues[0].message}`, { issues });
  }
  return verdict.props as Record<string, unknown>;
}

const cache = new Map<string, { definition: unknown; rendered: Promise<{ html: string; text: string }> }>();
const CACHE_SIZE = 200;

/**
 * Render a template. Rendering is pure, so the same definition and props (a campaign's thousands of sends)
 * render once; tracking is applied per send afterwards. A key given a new definition renders anew.
 */
export function render(key: string, props: Record<string, unknown>): Promise<{ html: string; text: string }> {
  const cacheKey = `${key}\u0000${JSON.stringify(props)}`;
  const definition = getTemplate(key);
  const hit = cache.get(cacheKey);
  if (hit && hit.definition === definition) return hit.rendered;
  const rendered = renderTemplate(key as never, props as never);
  const entry = { definition, rendered };
  rendered.catch(() => cache.get(cacheKey) === entry && cache.delete(cacheKey));
  cache.delete(cacheKey);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, entry);
  return rendered;
}

export { HOSTED_ANSWER_HREF };
