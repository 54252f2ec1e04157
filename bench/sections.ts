/**
 * (e) `poflow import` of a generated CSV, (f) replay of the recorded histories, (g) the CLI's
 * wall time: each against a baseline measured in the same run where one exists.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatePurchaseOrdersCsv } from '../examples/generate-purchase-orders-csv';
import type { RecordedHistory } from '../test/record-histories';
import { runCli } from '../test/support/stack';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';
import { median } from './stats';

const execFileAsync = promisify(execFile);

export interface ImportRun {
  count: number;
  /** From starting `poflow import` until every PO in the file is open. */
  seconds: number;
  /** When `poflow import` itself exited (all workflows started). */
  commandSeconds: number;
  notOpen: number;
}

/** Runs `poflow import` of a `count`-PO CSV against the stack and waits until all are open. */
export async function importCsv(
  client: Client,
  cliEnv: NodeJS.ProcessEnv,
  count: number,
  prefix: string,
  timeoutSeconds: number,
): Promise<ImportRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-bench-import-'));
  const file = path.join(dir, 'purchase-orders.csv');
  writeFileSync(file, generatePurchaseOrdersCsv({ count, prefix }));
  const openBefore = await countOf(client, 'PoStatus = "open"');
  const began = performance.now();
  try {
    const command = runCli({ cliEnv }, ['import', file, '--json'], timeoutSeconds * 1000).then((result) => {
      if (result.code !== 0)
        throw new Error(`poflow import exited ${result.code}: ${result.stderr.slice(-2000)}`);
      return (performance.now() - began) / 1000;
    });
    let commandSeconds: number | undefined;
    void command.then((s) => (commandSeconds = s)).catch(() => {});
    for (;;) {
      await sleep(250);
      const open = (await countOf(client, 'PoStatus = "open"')) - openBefore;
      const stuck = await countOf(client, 'PoStatus = "needs_attention"');
      const seconds = (performance.now() - began) / 1000;
      if (open >= count || stuck > 0 || seconds > timeoutSeconds) {
        return { count, seconds, commandSeconds: commandSeconds ?? (await command), notOpen: count - open };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countOf(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

export interface ReplayRun {
  histories: number;
  perSecond: number;
  /** The same count of `pingWorkflow` histories (recorded in this run) replayed on the same bundle. */
  baselinePerSecond: number;
}

/** Replays every recorded history `rounds` times, and as many ping histories as a baseline. */
export async function replayHistories(
  pingHistory: temporal.api.history.v1.IHistory,
  rounds: number,
  dataConverter: DataConverter,
): Promise<ReplayRun> {
  const dir = path.join(PROJECT_ROOT, 'test', 'histories');
  const recorded = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RecordedHistory)
    .map((r) => ({
      workflowId: r.workflowId,
      history: temporal.api.history.v1.History.decode(Buffer.from(r.historyBase64, 'base64')),
    }));
  const workflowBundle = { codePath: await ensureWorkflowBundle() };
  const histories = Array.from({ length: rounds }, () => recorded).flat();
  const pings = histories.map((_, i) => ({ workflowId: `ping-${i}`, history: pingHistory }));
  const replay = async (
    items: { workflowId: string; history: temporal.api.history.v1.IHistory }[],
  ): Promise<number> => {
    const began = performance.now();
    for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter }, items)) {
      if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${String(result.error)}`);
    }
    return items.length / ((performance.now() - began) / 1000);
  };
  await replay(recorded); // warm-up: the bundle's first load
  return {
    histories: histories.length,
    perSecond: await replay(histories),
    baselinePerSecond: await replay(pings),
  };
}

export interface CliRun {
  /** Median wall time of `node -e ''`: what starting Node alone costs. */
  nodeMs: number;
  helpMs: number;
  statusMs: number;
}

/** Median of `runs` wall times of `poflow --help` and `poflow status <name>`, and of bare Node. */
export async function cliTimes(cliEnv: NodeJS.ProcessEnv, poName: string, runs: number): Promise<CliRun> {
  const time = async (command: () => Promise<void>): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const began = performance.now();
      await command();
      times.push(performance.now() - began);
    }
    return median(times);
  };
  const poflow =
    (...args: string[]) =>
    async () => {
      const result = await runCli({ cliEnv }, args);
      if (result.code !== 0)
        throw new Error(`poflow ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    };
  return {
    nodeMs: await time(async () => void execFileSync(process.execPath, ['-e', ''])),
    helpMs: await time(poflow('--help')),
    statusMs: await time(poflow('status', poName)),
  };
}

export interface FloodRun {
  events: number;
  baselineSignalsAcceptedPerSecond: number;
  /** By delivery path, e.g. `webhookDelivery`. */
  eventsAbsorbedPerSecond: Record<string, number>;
  ratioToBaseline: Record<string, number>;
  /** By delivery path: the PO's workflow tasks during the flood (absent from older runs). */
  workflowTasks?: Record<
    string,
    { runs: number; longestTaskMs: number; tasksOverOneSecond: number; failedOrTimedOutTasks: number }
  >;
  standardLifecycle: { status: string; historyEvents: number; workflowTasks: number };
}

/** bench/flood.ts (events one PO absorbs, history events per lifecycle) on its own dev server. */
export async function flood(events: number, timeoutSeconds: number): Promise<FloodRun> {
  const tsx = require.resolve('tsx/cli');
  const script = path.join(PROJECT_ROOT, 'bench', 'flood.ts');
  const { stdout } = await execFileAsync(process.execPath, [tsx, script, String(events), '--json'], {
    cwd: PROJECT_ROOT,
    timeout: timeoutSeconds * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as FloodRun;
}
