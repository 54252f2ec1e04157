/**
 * Parsing input with a zod schema into field-level issues: every boundary (CLI, HTTP, update
 * validators, workflow start) reports bad input the same way. Workflow-safe.
 */
import type { z } from 'zod';

export interface FieldIssue {
  /** Where the problem is, e.g. `line_items[2].unit_of_measure`; empty for the whole document. */
  path: string;
  message: string;
}
export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.flatMap((issue) =>
      // One issue per unknown field, at its own path, so a typo points at itself.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            path: formatPath([...issue.path, key]),
            message: 'is not a known field',
          }))
        : [{ path: formatPath(issue.path), message: issue.message }],
    ),
  };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}
