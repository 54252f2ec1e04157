/** zod building blocks shared by the request schemas, and the issue -> message rule. */
import { z } from 'zod';
import { badRequest, unprocessable } from '../envelopes';

/** Absent and null are the same thing to a full-replacement API: both end up null. */
export const nullable = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v): z.output<T> | null => v ?? null);

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** Numbers sent as strings (the tutorial's `"units": "500"`) are accepted. */
export const integer = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
export const textual = z.union([z.string(), z.number().transform(String)]);

/**
 * A value out of a documented enum. Its failure is a `custom` issue carrying the provider's
 * own message, which is answered as is (other issues get their path prefixed).
 */
export function oneOf<const T extends readonly string[]>(values: T, message: (value: string) => string) {
  return z.custom<T[number]>((v) => typeof v === 'string' && values.includes(v), {
    error: (issue) =>
      message(issue.input === undefined || issue.input === null ? 'blank' : String(issue.input)),
  });
}

export function issueMessage(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === 'custom') return issue.message;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return path ? `${path.replace(/^\./, '')}: ${issue.message}` : issue.message;
}

/**
 * Parses a request body, answering 422 with the first issue when it does not fit. The v2
 * booking endpoints answer a missing required field with 400 instead (`missingIs400`).
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, missingIs400 = false): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (missingIs400 && issue.code === 'invalid_type' && issue.input === undefined) {
    throw badRequest('missing_required_field', `Missing required field: ${issue.path.join('.')}`);
  }
  throw unprocessable(issueMessage(result.error));
}
