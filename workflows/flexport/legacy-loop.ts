/**
 * The Flexport workflow's main loop for POs started before batched intake (`po-batched-intake`):
 * their recorded histories replay through it. Each signal was reduced in its handler, the deadline
 * timer restarted on every change, continue-as-new only on the server's suggestion (the shell's
 * budget has no limits of its own for them). Workflow code only.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { CommandQueue } from '../core/command-queue';
import type { PoShell } from '../core/po-shell';
import { isTerminal } from '../core/status';
import { now } from '../core/workflow-support';
import { nextDeadlines } from './deadlines';
import type { Command, LifecycleEvent, PoState } from './state';
import { deadlineSummary } from './ui';

export async function legacyLoop<K extends string>(
  shell: PoShell<PoState, LifecycleEvent, Command, K>,
  queue: CommandQueue<Command>,
  run: (command: Command) => Promise<string | undefined>,
  apply: (event: LifecycleEvent) => void,
  newRun: () => Promise<never>,
): Promise<void> {
  while (!isTerminal(shell.state.status)) {
    const job = queue.shift();
    if (job) {
      queue.settle(job, await run(job.command));
      continue;
    }
    if (shell.budget.spent) {
      // Finish in-flight handlers first; one that queued new work keeps us going instead.
      await condition(() => allHandlersFinished() || queue.length > 0);
      if (queue.length === 0) return newRun();
      continue;
    }
    const seenRevision = shell.revision;
    const wake = () => queue.length > 0 || shell.revision !== seenRevision || shell.budget.spent;
    const deadline = nextDeadlines(shell.state)[0];
    if (!deadline) {
      await condition(wake);
    } else {
      const wait = Math.max(Date.parse(deadline.at) - Date.now(), 1);
      if (!(await condition(wake, wait, { summary: deadlineSummary(shell.state, deadline) }))) {
        apply({ type: 'deadline_reached', at: now() });
      }
    }
  }
}
