/**
 * `npm run chaos`: poflow under faults, each part in its own process. A book of POs imported from a
 * CSV while the sandbox answers a share of requests 503/504 and drops, duplicates and reorders
 * webhook deliveries; the worker, the dev server, the sandbox and the receiver SIGKILLed and
 * restarted on a schedule; operators cancelling, amending, booking and closing with `poflow`
 * meanwhile. Then the faults stop, the book settles, and the invariants are checked against the
 * sandbox's own records. Prints a summary; exits 1 on any violation. Loopback only, free ports, one
 * private directory removed at the end.
 */
import { Client, Connection } from '@temporalio/client';
import { Command, Option } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePurchaseOrdersCsv } from '../examples/generate-purchase-orders-csv';
import { runCli } from '../test/support/stack';
import { freePort } from '../test/support/ports';
import { readBook, violationsOf, type Book } from './chaos/invariants';
import { Parts, PART_NAMES, partsEnv, type PartName } from './chaos/parts';
import {
  act,
  inParallel,
  killSchedule,
  setFaults,
  STORM_FAULTS,
  type ActionKind,
  type ActionResult,
} from './chaos/storm';

export interface ChaosOptions {
  pos: number;
  /** Worker kills; the dev server, the sandbox and the receiver are each killed once. */
  workerKills: number;
  /** Seconds between two kills. */
  killEvery: number;
  /**
   * Seconds the book may take to settle once the faults stop; also how long one operator command
   * is retried.
   */
  settleTimeout: number;
  seed: number;
  /** Keep the private directory (logs, SQLite files) for a post-mortem. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface ChaosReport {
  pos: number;
  seconds: number;
  settleSeconds: number;
  kills: Partial<Record<PartName, number>>;
  actions: Record<ActionKind, Record<ActionResult['outcome'], number>>;
  poflowStatuses: Record<string, number>;
  providerStatuses: Record<string, number>;
  providerPurchaseOrders: number;
  providerBookings: number;
  violations: string[];
}

interface PlannedAction {
  name: string;
  kind: ActionKind;
  thenClose?: boolean;
}

/**
 * Which operator command each PO gets, by its place in the book: a cancel for one in six; per 30
 * POs two amendments and two bookings (on lanes that name an origin), one of them closed after.
 */
function plannedActions(names: readonly string[]): PlannedAction[] {
  return names.flatMap((name, i): PlannedAction[] => {
    if (i % 30 === 3 || i % 30 === 9) return [{ name, kind: 'book', thenClose: i % 30 === 3 }];
    if (i % 6 === 1) return [{ name, kind: 'cancel' }];
    if (i % 30 === 5 || i % 30 === 15) return [{ name, kind: 'amend' }];
    return [];
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.error(line));
  const began = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-chaos-'));
  const ports = { temporal: await freePort(), sandbox: await freePort(), webhooks: await freePort() };
  const env = partsEnv(ports, dir);
  const parts = new Parts(dir, ports, env, options.seed);
  let connection: Connection | undefined;
  try {
    for (const part of PART_NAMES) {
      await parts.start(part);
      if (part === 'sandbox') await setFaults(parts, STORM_FAULTS);
    }
    log(`chaos: stack up in ${dir} (${options.pos} POs, seed ${options.seed})`);
    connection = await Connection.connect({ address: parts.temporalAddress });
    const client = new Client({ connection });

    const prefix = `CHAOS-${options.seed}`;
    const csv = path.join(dir, 'purchase-orders.csv');
    writeFileSync(csv, generatePurchaseOrdersCsv({ count: options.pos, prefix }));
    const names = Array.from(
      { length: options.pos },
      (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`,
    );

    const kills = (async () => {
      for (const part of killSchedule(options.workerKills)) {
        await sleep(options.killEvery * 1000);
        log(`chaos: SIGKILL ${part}, then restart`);
        await parts.restart(part);
        if (part === 'sandbox') await setFaults(parts, STORM_FAULTS);
      }
    })();
    kills.catch(() => {}); // awaited below; a failed restart must not end the process meanwhile

    // Each command is retried for as long as the book may take to settle, counted from its own
    // start: under load the storm's commands queue up for longer than that.
    const operator = { cliEnv: env, client, dir, patienceMs: options.settleTimeout * 1000 };
    const importUntil = Date.now() + operator.patienceMs;
    // Re-running an import starts nothing twice: the operator's answer to an import cut short.
    for (let attempt = 1; ; attempt++) {
      const result = await runCli({ cliEnv: env }, ['import', csv, '--json'], 600_000);
      if (result.code === 0) break;
      if (Date.now() > importUntil)
        throw new Error(`poflow import never completed: ${result.stderr.slice(-500)}`);
      log(`chaos: import attempt ${attempt} exited ${result.code}; running it again`);
      await sleep(2000);
    }
    log(`chaos: ${options.pos} POs imported after ${seconds(began)} s`);

    const planned = plannedActions(names);
    const results = await inParallel(
      planned.map(({ name, kind, thenClose }) => async () => {
        const first = await act(operator, kind, name);
        return thenClose && first.outcome === 'done' ? [first, await act(operator, 'close', name)] : [first];
      }),
      3,
    );
    const actions = results.flat();
    await kills;
    const commands = `${actions.length} operator commands`;
    log(`chaos: storm over after ${seconds(began)} s (${commands}); faults off, settling`);

    await setFaults(parts, {});
    const settleBegan = Date.now();
    let book: Book;
    let violations: string[];
    for (;;) {
      book = await readBook(client, parts.sandboxUrl, names);
      violations = violationsOf(book, names);
      if (violations.length === 0 || Date.now() - settleBegan > options.settleTimeout * 1000) break;
      await sleep(5000);
    }
    const actionViolations = actions
      .filter((a) => a.outcome === 'failed')
      .map((a) => `${a.kind} ${a.name}: no answer after ${a.attempts} attempts (${a.message})`);
    return {
      pos: options.pos,
      seconds: seconds(began),
      settleSeconds: seconds(settleBegan),
      kills: { ...parts.kills },
      actions: tally(actions),
      poflowStatuses: countBy([...book.views.values()].map((v) => v?.status ?? 'missing')),
      providerStatuses: countBy(book.providerPos.map((po) => po.status)),
      providerPurchaseOrders: book.providerPos.length,
      providerBookings: book.providerBookings.length,
      violations: [...violations, ...actionViolations],
    };
  } finally {
    await connection?.close();
    await parts.stopAll();
    if (options.keep) log(`chaos: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function tally(actions: ActionResult[]): ChaosReport['actions'] {
  const empty = () => ({ done: 0, in_progress: 0, refused: 0, failed: 0 });
  const counts: ChaosReport['actions'] = { cancel: empty(), amend: empty(), book: empty(), close: empty() };
  for (const action of actions) counts[action.kind][action.outcome] += 1;
  return counts;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A count by key as `closed 120, open 130`. */
function listed(byKey: Partial<Record<string, number>>): string {
  return Object.entries(byKey)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}

export function describeReport(report: ChaosReport): string {
  const settled = `settled in ${report.settleSeconds} s after the faults stopped`;
  const provider = `${report.providerPurchaseOrders} POs, ${report.providerBookings} bookings`;
  const violations = report.violations.map((v) => `    - ${v}`).join('\n');
  const lines = [
    `chaos: ${report.pos} POs in ${report.seconds} s (${settled})`,
    `  kills       ${listed(report.kills)}`,
    ...Object.entries(report.actions).map(([kind, outcomes]) => `  ${kind.padEnd(11)} ${listed(outcomes)}`),
    `  poflow      ${listed(report.poflowStatuses)}`,
    `  provider    ${listed(report.providerStatuses)} (${provider})`,
    report.violations.length === 0
      ? '  violations  none'
      : `  violations  ${report.violations.length}:\n${violations}`,
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const program = new Command('chaos')
    .description('poflow under faults: kills, provider errors, webhook chaos and operators, then invariants')
    .addOption(new Option('--pos <n>', 'POs in the book').argParser(Number).default(300))
    .addOption(
      new Option('--worker-kills <n>', 'worker SIGKILLs (each server is killed once)')
        .argParser(Number)
        .default(6),
    )
    .addOption(new Option('--kill-every <seconds>', 'pause between two kills').argParser(Number).default(10))
    .addOption(
      new Option(
        '--settle-timeout <seconds>',
        'how long the book may take to settle, and one operator command be retried',
      )
        .argParser(Number)
        .default(900),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the sandbox faults and the PO names')
        .argParser(Number)
        .default(Date.now() % 100_000),
    )
    .option('--keep', 'keep the private directory (logs, SQLite files)')
    .option('--json', 'print the report as JSON');
  program.parse();
  const options = program.opts<ChaosOptions & { json?: boolean }>();
  runChaos(options).then(
    (report) => {
      console.log(options.json ? JSON.stringify(report, null, 2) : describeReport(report));
      process.exitCode = report.violations.length === 0 ? 0 : 1;
    },
    (err: unknown) => {
      console.error(`chaos: ${err instanceof Error ? err.stack : String(err)}`);
      process.exitCode = 1;
    },
  );
}
