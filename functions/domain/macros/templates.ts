import { z } from 'zod';
import { ValidationFailed } from '../shared/errors.js';

/**
 * Text templates for replies, notes, notifications, canned responses and
 * webhook bodies. A placeholder is `{{name}}` (spaces inside the braces are
 * allowed); the names are fixed (`TEMPLATE_PLACEHOLDERS`). An unknown or
 * unclosed placeholder is refused when the template is saved
 * (`validateTemplate`, `TemplateSchema`); at render time a missing value gets
 * a fallback (`DEFAULT_FALLBACKS`, e.g. "Hi {{customer.name}}" → "Hi there").
 */

export const TEMPLATE_PLACEHOLDERS = [
  'customer.name',
  'customer.email',
  'ticket.number',
  'ticket.subject',
  'ticket.status',
  'agent.name',
  'desk.name',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** What a template can show. Any part may be missing; fallbacks fill the gaps. */
export interface TemplateContext {
  customer?: { name: string | null; email: string | null } | null;
  ticket?: { number: number; subject: string; status: string } | null;
  agent?: { name: string | null } | null;
  desk?: { name: string | null } | null;
}

/** Text used when a value is missing. `agent.name` falls back to the desk's name first. */
export const DEFAULT_FALLBACKS: Readonly<Record<TemplatePlaceholder, string>> = {
  'customer.name': 'there',
  'customer.email': '',
  'ticket.number': '',
  'ticket.subject': '',
  'ticket.status': '',
  'agent.name': 'the support team',
  'desk.name': 'the support team',
};

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const KNOWN = new Set<string>(TEMPLATE_PLACEHOLDERS);

/** The problems of a template (unknown or unclosed placeholders); empty when it is fine. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    if (!KNOWN.has(name)) {
      problems.push(
        `unknown placeholder {{${name}}}; use one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
    }
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    problems.push('a placeholder is not closed: write {{name}} with two braces on each side');
  }
  return problems;
}

/** The placeholders a template uses, in order of first use. */
export function templatePlaceholders(template: string): TemplatePlaceholder[] {
  const found: TemplatePlaceholder[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    if (KNOWN.has(name) && !found.includes(name as TemplatePlaceholder))
      found.push(name as TemplatePlaceholder);
  }
  return found;
}

/** Returns the template unchanged, or throws ValidationFailed naming every problem (details: `{ problems }`). */
export function validateTemplate(template: string, what = 'template'): string {
  const problems = templateProblems(template);
  if (problems.length > 0) {
    throw new ValidationFailed(`Invalid ${what}: ${problems.join('; ')}`, { problems });
  }
  return template;
}

/** A zod schema for a template of up to `max` characters whose placeholders are all known. */
export function templateSchema(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .superRefine((template, ctx) => {
      for (const message of templateProblems(template)) ctx.addIssue({ code: 'custom', message });
    });
}

function placeholderValue(name: TemplatePlaceholder, context: TemplateContext): string | null {
  const present = (v: string | null | undefined) =>
    v === null || v === undefined || v.trim() === '' ? null : v;
  switch (name) {
    case 'customer.name':
      return present(context.customer?.name);
    case 'customer.email':
      return present(context.customer?.email);
    case 'ticket.number':
      return context.ticket ? String(context.ticket.number) : null;
    case 'ticket.subject':
      return present(context.ticket?.subject);
    case 'ticket.status':
      return present(context.ticket?.status?.replaceAll('_', ' '));
    case 'agent.name':
      return present(context.agent?.name) ?? present(context.desk?.name);
    case 'desk.name':
      return present(context.desk?.name);
  }
}

export interface RenderOptions {
  /** `json`: values are escaped for use inside a JSON string (webhook bodies). Default: none. */
  escape?: 'none' | 'json';
  /** Replaces some of `DEFAULT_FALLBACKS`. */
  fallbacks?: Partial<Record<TemplatePlaceholder, string>>;
}

/**
 * Fills the placeholders of a template. A missing value gets its fallback; an
 * unknown placeholder (which `validateTemplate` refuses on save) renders as
 * nothing rather than leaking braces to a customer.
 */
export function renderTemplate(
  template: string,
  context: TemplateContext,
  options: RenderOptions = {},
): string {
  const fallbacks = { ...DEFAULT_FALLBACKS, ...options.fallbacks };
  return template.replace(PLACEHOLDER, (_all, raw: string) => {
    const name = raw.trim();
    if (!KNOWN.has(name)) return '';
    const placeholder = name as TemplatePlaceholder;
    const value = placeholderValue(placeholder, context) ?? fallbacks[placeholder];
    return options.escape === 'json' ? JSON.stringify(value).slice(1, -1) : value;
  });
}
