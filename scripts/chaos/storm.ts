/**
 * The storm: provider faults, kills on a schedule, and operators' commands run as `poflow`
 * subprocesses while it lasts, each retried the way an operator would (a dead server is retried,
 * a refusal is final).
 */
import type { Client } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FaultOptions } from '../../sandbox/faults';
import { stateQuery } from '../../workflows/flexport/messages';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';
import { runCli, type CliResult } from '../../test/support/stack';
import type { PartName, Parts } from './parts';

export const STORM_FAULTS: FaultOptions = {
  serverErrorRate: 0.2,
  gatewayTimeoutShare: 0.5,
  webhookDropRate: 0.1,
  webhookDuplicateRate: 0.1,
  webhookReorderWindowMs: 2000,
};

export async function setFaults(parts: Parts, faults: FaultOptions): Promise<void> {
  const response = await fetch(`${parts.sandboxUrl}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`PUT /_sandbox/faults: ${response.status} ${await response.text()}`);
}

/** Kills in the order an unlucky day brings them: the worker most often, each server once. */
export function killSchedule(workerKills: number): PartName[] {
  const others: PartName[] = ['sandbox', 'webhooks', 'temporal'];
  const schedule: PartName[] = [];
  for (let i = 0; i < Math.max(workerKills, others.length); i++) {
    if (i < workerKills) schedule.push('worker');
    if (i < others.length) schedule.push(others[i]!);
  }
  return schedule;
}

export type ActionKind = 'cancel' | 'amend' | 'book' | 'close';

export interface ActionResult {
  kind: ActionKind;
  name: string;
  /** done (exit 0), in_progress (exit 0, still under way), refused (exit 2), failed (gave up on exit 1). */
  outcome: 'done' | 'in_progress' | 'refused' | 'failed';
  attempts: number;
  message?: string;
}

export interface Operator {
  cliEnv: NodeJS.ProcessEnv;
  client: Client;
  dir: string;
  /** How long one command is retried, from its first attempt (ms). */
  patienceMs: number;
}

/**
 * One operator command, repeated while the stack cannot answer (exit 1) or the PO is not ready for
 * it yet.
 */
export async function act(operator: Operator, kind: ActionKind, name: string): Promise<ActionResult> {
  const until = Date.now() + operator.patienceMs;
  let attempts = 0;
  let last: CliResult | undefined;
  while (Date.now() < until) {
    attempts += 1;
    const args = await argsOf(operator, kind, name).catch(() => undefined);
    if (args) {
      last = await runCli({ cliEnv: operator.cliEnv }, [...args, '--wait', '60', '--json'], 240_000);
      if (last.code === 0) {
        const inProgress = /"outcome": "in_progress"/.test(last.stdout);
        return { kind, name, outcome: inProgress ? 'in_progress' : 'done', attempts };
      }
      // Not yet bookable (still being submitted) is worth another try; any other refusal is final.
      if (last.code === 2 && !/once the provider has accepted it|is busy/.test(last.stdout)) {
        return { kind, name, outcome: 'refused', attempts, message: errorOf(last) };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return { kind, name, outcome: 'failed', attempts, message: last ? errorOf(last) : 'never reached' };
}

async function argsOf(operator: Operator, kind: ActionKind, name: string): Promise<string[]> {
  switch (kind) {
    case 'cancel':
      return ['cancel', name, '--reason', 'chaos: operator cancel during the storm'];
    case 'book': {
      // Named, so a repeat after a lost answer finds the booking made instead of booking again.
      const file = path.join(operator.dir, `${name}-booking.json`);
      writeFileSync(file, JSON.stringify({ name: `${name}-B1` }));
      return ['book', name, file];
    }
    case 'close':
      return ['close', name];
    case 'amend': {
      // A full replacement: the PO as poflow holds it, with a new memo.
      const handle = operator.client.workflow.getHandle(purchaseOrderWorkflowId('flexport', name));
      const { po } = await handle.query(stateQuery);
      const file = path.join(operator.dir, `${name}-amended.json`);
      writeFileSync(file, JSON.stringify({ ...po, memo: 'amended during the chaos storm' }));
      return ['amend', name, file];
    }
  }
}

/**
 * The command's error with its causes (the SDK's top line alone, e.g. "Workflow Update failed",
 * says little).
 */
function errorOf(result: CliResult): string {
  try {
    const { error, causes = [] } = JSON.parse(result.stdout) as { error?: string; causes?: string[] };
    return error ? [error, ...causes].join(': ') : result.stderr.slice(-300);
  } catch {
    return (result.stderr || result.stdout).slice(-300);
  }
}

/** Runs `tasks` with at most `limit` at once. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  });
  await Promise.all(lanes);
  return results;
}
