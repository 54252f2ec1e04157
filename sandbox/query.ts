/** Query-string filters (`f.*`) parsed with zod; a bad filter is a 400. */
import { z } from 'zod';
import { badRequest } from './envelopes';
import { issueMessage } from './schemas/common';

export function parseFilters<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw badRequest('invalid_filter', issueMessage(result.error));
  return result.data;
}

export const intParam = z.string().regex(/^\d+$/, 'expected an integer').transform(Number);
export const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Times such as `2022-01-01 18:26:37 PST` (the reference's examples) or ISO 8601. */
export const timeParam = z.string().transform((v, ctx) => {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `Invalid filter: ${v} is not a time` });
    return z.NEVER;
  }
  return ms;
});
