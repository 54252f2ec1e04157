/**
 * Nothing left behind: the Temporal servers that `poflow start` and the suite run die with the
 * process that started them, SIGKILL included, and a `poflow start` that finds its ports taken
 * says by whom, and stops a dev server an earlier `poflow start` left running on its data.
 * Everything runs on free ports with a private data directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { portHolder } from '../worker/leftover-server';
import { commandLine, isAlive, processTree } from '../worker/processes';
import { PROJECT_ROOT, requireBinaryPath } from '../worker/temporal-binaries';
import { freePort } from './support/ports';

const dirs: string[] = [];
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startEnv(): Promise<NodeJS.ProcessEnv & { TEMPORAL_PORT: string; POFLOW_DATA_DIR: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-leftovers-'));
  dirs.push(dir);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POFLOW_DATA_DIR: dir,
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    WEBHOOK_PORT: String(await freePort()),
    POFLOW_METRICS_PORT: String(await freePort()),
    POFLOW_CODEC_PORT: String(await freePort()),
  };
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node bin/poflow.js ...args` with its output collected. */
function poflow(env: NodeJS.ProcessEnv, ...args: string[]): Run {
  return collected(spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), ...args], { cwd: PROJECT_ROOT, env })); // prettier-ignore
}

function collected(child: ChildProcess): Run {
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function untilOutput(run: Run, pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${pattern} (exit ${run.child.exitCode}):\n${run.output()}`);
    }
    await sleep(200);
  }
}

async function untilGone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  return pids.filter(isAlive);
}

test('a poflow start killed with SIGKILL takes its Temporal dev server with it', async () => {
  const env = await startEnv();
  const run = poflow(env, 'start');
  await untilOutput(run, /poflow is running/);
  const server = portHolder(Number(env.TEMPORAL_PORT));
  expect(server).toBeDefined();
  expect(server!.argv).toEqual(expect.arrayContaining(['server', 'start-dev']));
  const tree = processTree(run.child.pid!);
  expect(tree).toContain(server!.pid);

  run.child.kill('SIGKILL');
  expect(await untilGone(tree)).toEqual([]);
  expect(portHolder(Number(env.TEMPORAL_PORT))).toBeUndefined();
}, 150_000);

test('poflow start restarted right after a SIGKILL waits for the old dev server to stop, then runs', async () => {
  const env = await startEnv();
  const first = poflow(env, 'start');
  await untilOutput(first, /poflow is running/);
  const old = portHolder(Number(env.TEMPORAL_PORT))!;
  first.child.kill('SIGKILL');
  const second = poflow(env, 'start');
  await untilOutput(second, /poflow is running/);
  expect(isAlive(old.pid)).toBe(false);
  second.child.kill('SIGINT');
  expect(await second.exited).toBe(0);
}, 150_000);

test("the suite's test servers die with the process that started them", async () => {
  // A Node process that starts both kinds of test environment the way the suites do, then is killed.
  const script = `
    const { timeSkippingEnv, devServerEnv } = require('./test/support/temporal');
    Promise.all([timeSkippingEnv(), devServerEnv()]).then(() => console.log('environments ready'));
    setInterval(() => {}, 1000);
  `;
  const run = collected(
    spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: PROJECT_ROOT }),
  );
  await untilOutput(run, /environments ready/);
  const servers = processTree(run.child.pid!).filter((pid) => {
    const argv = commandLine(pid);
    return argv.some((arg) => /temporal-test-server$/.test(arg)) || argv.includes('start-dev');
  });
  // Each server and the tether that runs it.
  expect(servers.length).toBeGreaterThanOrEqual(2);

  run.child.kill('SIGKILL');
  expect(await untilGone(servers)).toEqual([]);
}, 120_000);

test('a dev server an earlier poflow start left running on the same data is stopped, and poflow starts', async () => {
  const env = await startEnv();
  const dbFile = path.join(env.POFLOW_DATA_DIR, 'temporal.sqlite');
  // What a poflow start killed before tethering existed left: a dev server whose parent is gone.
  const leftoverPid = Number(
    execFileSync('sh', ['-c', '"$@" >/dev/null 2>&1 & echo $!', 'sh', requireBinaryPath('cli'), 'server', 'start-dev', '--ip', '127.0.0.1', '--port', env.TEMPORAL_PORT, '--ui-port', env.TEMPORAL_UI_PORT!, '--db-filename', dbFile, '--log-level', 'error'], { encoding: 'utf8' }).trim(), // prettier-ignore
  );
  try {
    for (const deadline = Date.now() + 30_000; !portHolder(Number(env.TEMPORAL_PORT)); await sleep(200)) {
      if (Date.now() > deadline) throw new Error('the leftover dev server never listened');
    }
    const run = poflow(env, 'start');
    await untilOutput(run, /poflow is running/);
    expect(run.output()).toContain(
      `a Temporal dev server left running by an earlier poflow start holds port ${env.TEMPORAL_PORT} (pid ${leftoverPid}, ${dbFile}): stopping it`,
    );
    expect(isAlive(leftoverPid)).toBe(false);
    const server = portHolder(Number(env.TEMPORAL_PORT));
    expect(server?.pid).not.toBe(leftoverPid);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(await untilGone([server!.pid])).toEqual([]);
  } finally {
    if (isAlive(leftoverPid)) process.kill(leftoverPid, 'SIGKILL');
  }
}, 150_000);

test('a port held by another program: poflow start names it and the way out, and starts nothing', async () => {
  const env = await startEnv();
  const squatter: Server = createServer();
  await new Promise<void>((resolve) => squatter.listen(Number(env.TEMPORAL_UI_PORT), '127.0.0.1', resolve));
  try {
    const run = poflow(env, 'start');
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `TEMPORAL_UI_PORT ${env.TEMPORAL_UI_PORT} is in use by pid ${process.pid} (`,
    );
    expect(run.output()).toMatch(/set TEMPORAL_UI_PORT to a free port, or set TEMPORAL_ADDRESS/);
    expect(portHolder(Number(env.TEMPORAL_PORT))).toBeUndefined();
  } finally {
    squatter.close();
  }
}, 60_000);
