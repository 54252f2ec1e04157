/** The progress bar of the bulk commands (`import`, `adopt --all`). */
import { SingleBar } from 'cli-progress';
import type { Session } from './session';

/** On stderr and only on a terminal: scripts and `--json` get clean output. */
export function progressBar(session: Pick<Session, 'json'>, format: string): SingleBar | undefined {
  if (session.json || !process.stderr.isTTY) return undefined;
  return new SingleBar({ format, stream: process.stderr, hideCursor: true });
}
