/**
 * The embedded stack as a user runs it: `poflow start` in its own process tree (dev server,
 * sandbox, worker, receiver), on free ports and a private data dir, and the RSS of every process
 * in that tree read from /proc.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyEntry } from '../codec/keys';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { commandLine, processTree, readProc } from '../worker/processes';
import { freePort } from '../test/support/ports';

const POFLOW_BIN = path.join(PROJECT_ROOT, 'bin', 'poflow.js');

export interface BenchStack {
  pid: number;
  temporalAddress: string;
  webhookUrl: string;
  webhookSecret: string;
  /** `POFLOW_CODEC_KEYS` of the stack. */
  codecKeys: string;
  /** What a `poflow` command needs to reach this stack. */
  cliEnv: NodeJS.ProcessEnv;
  /** The ERP API `poflow start` serves, and the bench's token for it. */
  api: { url: string; token: string };
  stop(): Promise<void>;
}

/** `extraEnv` adds to what `poflow start` is given (bench/memory.ts: its cache size, a preloaded probe). */
export async function startBenchStack(extraEnv: NodeJS.ProcessEnv = {}): Promise<BenchStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'poflow-bench-'));
  const ports = {
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    SANDBOX_PORT: await freePort(),
    WEBHOOK_PORT: await freePort(),
    POFLOW_METRICS_PORT: await freePort(),
    POFLOW_CODEC_PORT: await freePort(),
    POFLOW_API_PORT: await freePort(),
  };
  const apiToken = randomBytes(24).toString('hex');
  const webhookSecret = randomBytes(32).toString('hex');
  // Payloads encrypted, as `poflow start` does by default; the bench's client and CLI share the key.
  const codecKeys = generateKeyEntry();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POFLOW_DATA_DIR: dataDir,
    POFLOW_CODEC_KEYS: codecKeys,
    WEBHOOK_SECRET: webhookSecret,
    POFLOW_LOG_LEVEL: 'warn',
    POFLOW_API_TOKENS: `bench:${apiToken}`,
    // The benchmark measures the API, not its rate limit.
    POFLOW_API_RATE_LIMIT: '100000',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ...extraEnv,
  };
  // Its own process group, so a stop reaches every child even if `poflow start` dies first.
  const child = spawn(process.execPath, [POFLOW_BIN, 'start'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The stack has its own process group, so Ctrl-C on the benchmark must be passed on.
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const stop = async () => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const forced = setTimeout(() => killGroup(child.pid!), 30_000);
      await exited;
      clearTimeout(forced);
    }
    killGroup(child.pid!);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`poflow start did not come up in 180 s:\n${output}`)),
        180_000,
      );
      child.stdout.on('data', () => {
        if (output.includes('poflow is running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`poflow start exited with ${code}:\n${output}`)));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const temporalAddress = `127.0.0.1:${ports.TEMPORAL_PORT}`;
  return {
    pid: child.pid!,
    temporalAddress,
    webhookUrl: `http://127.0.0.1:${ports.WEBHOOK_PORT}/webhooks/flexport`,
    webhookSecret,
    codecKeys,
    cliEnv: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: temporalAddress,
      FLEXPORT_BASE_URL: `http://127.0.0.1:${ports.SANDBOX_PORT}`,
      FLXPOINT_BASE_URL: `http://127.0.0.1:${ports.SANDBOX_PORT}/flxpoint`,
      TEMPORAL_UI_URL: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
      POFLOW_CODEC_KEYS: codecKeys,
    },
    api: { url: `http://127.0.0.1:${ports.POFLOW_API_PORT}/v1`, token: apiToken },
    stop,
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface ProcessRss {
  pid: number;
  /** What the process is: the executable's name and what it runs, e.g. `node poflow.js start`. */
  label: string;
  rssMiB: number;
}

/** The RSS of `root` and every descendant, from /proc (Linux). */
export function treeRss(root: number): ProcessRss[] {
  return processTree(root).flatMap((pid) => {
    const status = readProc(`/proc/${pid}/status`);
    const rssKb = status && Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    if (!rssKb) return [];
    return [{ pid, label: labelOf(pid), rssMiB: rssKb / 1024 }];
  });
}

function labelOf(pid: number): string {
  const shown = commandLine(pid)
    .slice(0, 4)
    .map((arg) => (arg.includes('/') ? path.basename(arg) : arg))
    // `python3 -c <script>` (worker/tether.ts): the script's first line is enough.
    .map((arg) => arg.trim().split('\n')[0]!);
  return shown.join(' ');
}
