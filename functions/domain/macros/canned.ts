import { z } from 'zod';
import { foldText, words } from '../rules/text.js';
import { parseOrFail } from '../shared/validation.js';
import { TagSchema } from '../tickets/model.js';
import { canUse, refineScope, ScopeSchema } from './model.js';
import { templateSchema } from './templates.js';

/**
 * Canned responses: ready answers to frequent questions, inserted into a
 * reply with one click. The body is a template (`renderTemplate`).
 */

export const CannedResponseSchema = z
  .object({
    id: z.string().trim().min(1).max(100),
    title: z.string().trim().min(1).max(200),
    body: templateSchema(20_000, 1),
    tags: z
      .array(TagSchema)
      .max(20)
      .default([])
      .transform((tags) => [...new Set(tags)].sort()),
    scope: ScopeSchema,
    ownerId: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine(refineScope);
export type CannedResponse = z.infer<typeof CannedResponseSchema>;
export type CannedResponseInput = z.input<typeof CannedResponseSchema>;

export function parseCannedResponse(input: unknown): CannedResponse {
  return parseOrFail(CannedResponseSchema, input, 'canned response');
}

/** Points per query word: the title weighs most, then tags, then the body; a whole word beats a prefix. */
const WEIGHTS = { titleWord: 6, titlePrefix: 4, tag: 3, tagPrefix: 2, bodyWord: 1, bodyPrefix: 0.5 } as const;
/** Bonus when the title contains the whole query as a phrase. */
const TITLE_PHRASE_BONUS = 5;

/** How well a response matches the query words; 0 when some word matches nowhere. */
export function cannedScore(item: Pick<CannedResponse, 'title' | 'body' | 'tags'>, query: string): number {
  const terms = [...new Set(words(query))];
  if (terms.length === 0) return 0;
  const title = words(item.title);
  const tags = item.tags.flatMap((t) => words(t));
  const body = words(item.body);
  let score = 0;
  for (const term of terms) {
    const points = Math.max(
      title.includes(term)
        ? WEIGHTS.titleWord
        : title.some((w) => w.startsWith(term))
          ? WEIGHTS.titlePrefix
          : 0,
      tags.includes(term) ? WEIGHTS.tag : tags.some((w) => w.startsWith(term)) ? WEIGHTS.tagPrefix : 0,
      body.includes(term) ? WEIGHTS.bodyWord : body.some((w) => w.startsWith(term)) ? WEIGHTS.bodyPrefix : 0,
    );
    if (points === 0) return 0;
    score += points;
  }
  if (terms.length > 1 && ` ${title.join(' ')} `.includes(` ${terms.join(' ')}`)) score += TITLE_PHRASE_BONUS;
  return score;
}

/**
 * Searches canned responses, case- and accent-insensitively: every query word
 * must match (a word or the start of a word) in the title, a tag or the body;
 * results are ranked by `cannedScore`, then by title. An empty query lists
 * everything by title. With `agentId`, personal responses of other agents
 * are left out.
 */
export function searchCanned<C extends CannedResponse>(
  list: readonly C[],
  query: string,
  options: { agentId?: string } = {},
): C[] {
  const visible =
    options.agentId === undefined ? list : list.filter((c) => canUse(c, options.agentId as string));
  const byTitle = (a: C, b: C) =>
    foldText(a.title).localeCompare(foldText(b.title)) || a.id.localeCompare(b.id);
  if (words(query).length === 0) return [...visible].sort(byTitle);
  return visible
    .map((item) => ({ item, score: cannedScore(item, query) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || byTitle(a.item, b.item))
    .map((r) => r.item);
}
