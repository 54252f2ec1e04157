/**
 * The stack as separate processes, each killable with SIGKILL and restartable on its own: the
 * Temporal dev server on a SQLite file, `poflow sandbox --db-file`, `poflow webhooks` and
 * `poflow worker`. Loopback only, free ports, everything under one private directory.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureSearchAttributes, SINGLE_PARTITION_TASK_QUEUES } from '../../worker/dev-server';
import { PROJECT_ROOT, requireBinaryPath } from '../../worker/temporal-binaries';
import { freePort } from '../../test/support/ports';

/**
 * `worker-2`: a second `poflow worker` beside the first, as a cluster runs them. Flexport only:
 * one process per Flxpoint token sends Flxpoint's requests (`POFLOW_FLXPOINT_WORKER`, docs/flxpoint.md).
 */
export type PartName = 'temporal' | 'sandbox' | 'webhooks' | 'worker' | 'worker-2';
export const PART_NAMES: readonly PartName[] = ['temporal', 'sandbox', 'webhooks', 'worker'];
/** The order parts depend on each other: started in it, stopped in reverse. */
const START_ORDER: readonly PartName[] = [...PART_NAMES, 'worker-2'];

export interface Ports {
  temporal: number;
  sandbox: number;
  webhooks: number;
}

/** What every poflow process and command of the stack reads: addresses, token, webhook secret. */
export function partsEnv(ports: Ports, dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_NAMESPACE: 'default',
    FLEXPORT_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
    FLEXPORT_API_TOKEN: 'sandbox',
    FLXPOINT_BASE_URL: `http://127.0.0.1:${ports.sandbox}/flxpoint`,
    FLXPOINT_API_TOKEN: 'sandbox',
    SANDBOX_PORT: String(ports.sandbox),
    WEBHOOK_PORT: String(ports.webhooks),
    WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    POFLOW_DATA_DIR: dir,
    POFLOW_LOG_LEVEL: 'warn',
  };
}

const POFLOW_BIN = path.join(PROJECT_ROOT, 'bin', 'poflow.js');
// Generous: on a loaded machine a poflow process takes a while to compile and connect.
const READY_TIMEOUT_MS = 300_000;

export class Parts {
  private readonly children = new Map<PartName, ChildProcess>();
  private readonly metricsPorts = new Map<PartName, number>();
  /** SIGKILLs per part (parts never killed are absent). */
  readonly kills: Partial<Record<PartName, number>> = {};

  constructor(
    private readonly dir: string,
    private readonly ports: Ports,
    /** What every poflow process reads: addresses, token, webhook secret. */
    readonly env: NodeJS.ProcessEnv,
    private readonly seed: number,
  ) {}

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  get sandboxUrl(): string {
    return `http://127.0.0.1:${this.ports.sandbox}`;
  }

  async start(name: PartName): Promise<void> {
    const log = path.join(this.dir, `${name}.log`);
    const out = openSync(log, 'a');
    const [command, args] = this.commandOf(name);
    // Each process its own metrics port (never the fixed default): a worker is ready when its /readyz
    // says so.
    const metricsPort = await freePort();
    this.metricsPorts.set(name, metricsPort);
    const env = {
      ...this.env,
      POFLOW_METRICS_PORT: String(metricsPort),
      ...(name === 'worker-2' && { POFLOW_FLXPOINT_WORKER: 'off' }),
    };
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', out, out] });
    closeSync(out);
    this.children.set(name, child);
    await this.ready(name, child, log);
  }

  /** SIGKILL: no shutdown hook runs, as when a machine dies. */
  async kill(name: PartName): Promise<void> {
    const child = this.children.get(name);
    this.children.delete(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.kills[name] = (this.kills[name] ?? 0) + 1;
  }

  async restart(name: PartName): Promise<void> {
    await this.kill(name);
    await this.start(name);
  }

  /** Stops every part still running (workers and servers first, Temporal last). */
  async stopAll(): Promise<void> {
    for (const name of [...START_ORDER].reverse()) {
      const child = this.children.get(name);
      this.children.delete(name);
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    }
  }

  private commandOf(name: PartName): [string, string[]] {
    switch (name) {
      case 'temporal':
        return [
          requireBinaryPath('cli', () => {}),
          [
            'server',
            'start-dev',
            '--ip',
            '127.0.0.1',
            '--port',
            String(this.ports.temporal),
            '--headless',
            '--namespace',
            'default',
            '--db-filename',
            path.join(this.dir, 'temporal.sqlite'),
            '--sqlite-pragma',
            'journal_mode=WAL',
            '--log-level',
            'error',
            ...SINGLE_PARTITION_TASK_QUEUES,
          ],
        ];
      case 'sandbox':
        return [
          process.execPath,
          [
            POFLOW_BIN,
            'sandbox',
            '--db-file',
            path.join(this.dir, 'sandbox.sqlite'),
            '--seed',
            String(this.seed),
          ],
        ];
      case 'webhooks':
        return [process.execPath, [POFLOW_BIN, 'webhooks']];
      case 'worker':
      case 'worker-2':
        return [process.execPath, [POFLOW_BIN, 'worker']];
    }
  }

  private async ready(name: PartName, child: ChildProcess, log: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${name} exited (${child.exitCode ?? child.signalCode}) while starting: ${tail(log)}`,
        );
      }
      if (await this.answers(name)) return;
      if (Date.now() > deadline)
        throw new Error(`${name} not ready within ${READY_TIMEOUT_MS / 1000} s: ${tail(log)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async answers(name: PartName): Promise<boolean> {
    try {
      switch (name) {
        case 'temporal': {
          const connection = await Connection.connect({
            address: this.temporalAddress,
            connectTimeout: 1000,
          });
          try {
            await ensureSearchAttributes(connection, 'default');
          } finally {
            await connection.close();
          }
          return true;
        }
        case 'sandbox':
          return (await fetch(`${this.sandboxUrl}/_sandbox/webhooks`)).ok;
        case 'webhooks':
          return (await fetch(`http://127.0.0.1:${this.ports.webhooks}/healthz`)).ok;
        case 'worker':
        case 'worker-2':
          // Connected, polling, providers reachable; the log line says the same only at level info.
          return (await fetch(`http://127.0.0.1:${this.metricsPorts.get(name)}/readyz`)).ok;
      }
    } catch {
      return false;
    }
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}
