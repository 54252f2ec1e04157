/** How the command line fails: bad input (exit code 2, with the field and the reason) or anything else (1). */
import type { FieldIssue } from '../workflows/purchase-order';

/** A refusal of the user's input: exit code 2. `issues` say which fields and why. */
export class BadInput extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** `what` refused for these field issues: one line per field, so long lists stay readable. */
export function badFields(what: string, issues: FieldIssue[]): BadInput {
  const lines = issues.map((issue) => `  ${issue.path || '(document)'}: ${issue.message}`);
  return new BadInput([`${what}:`, ...lines].join('\n'), issues);
}
