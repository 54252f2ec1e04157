/**
 * How the command line fails: bad input (exit code 2, with the field and the reason) or anything
 * else (1).
 */
import type { FieldIssue } from '../workflows/core/parsing';

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

const MAX_CAUSES = 10;

/**
 * Every message from `err` down its `cause` chain, outermost first: the SDK's top line ("Failed to
 * start Workflow", "Workflow Update failed") says little, the server's or the workflow's message
 * below it says why. gRPC errors carry the server's words in `details`. Repeats are dropped.
 */
export function causeChain(err: unknown): string[] {
  const messages: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current) && seen.size < MAX_CAUSES) {
    seen.add(current);
    for (const message of ownMessages(current)) {
      if (message && !messages.some((m) => m === message || m.endsWith(`: ${message}`)))
        messages.push(message);
    }
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return messages;
}

function ownMessages(err: unknown): string[] {
  if (!(err instanceof Error)) return [typeof err === 'string' ? err : JSON.stringify(err)];
  const details = (err as { details?: unknown }).details;
  // A gRPC status error's message is "<code> <CODE>: <details>"; the details alone are the server's words.
  const serverWords = typeof details === 'string' && details !== '' ? details : undefined;
  return serverWords && !err.message.includes(serverWords) ? [err.message, serverWords] : [err.message];
}

/** `err` as one text: its own message, then each cause on its own line. */
export function describeError(err: unknown): string {
  const [first, ...causes] = causeChain(err);
  return [first ?? String(err), ...causes.map((c) => `  caused by: ${c}`)].join('\n');
}
