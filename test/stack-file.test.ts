/**
 * The CLI finds its stack: `poflow start` records where its parts listen in `stack.json` of its data
 * dir, a command in a second terminal with only the data dir set reaches that stack, the file goes
 * with a clean stop, a file whose pid is gone is ignored, and with nothing listening a command says
 * so within seconds, naming what it tried and the variables that change it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { readLiveStack, stackFilePath, type StackFile } from '../worker/stack-file';
import { freePort } from './support/ports';
import { runningPoflow } from './support/poflow-process';

const CLI = path.join(PROJECT_ROOT, 'bin', 'poflow.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-stack-file-'));
  dirs.push(dir);
  return dir;
}

/** A second terminal's environment: nothing about where poflow listens, only the data dir. */
function secondTerminal(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TEMPORAL_|POFLOW_|SANDBOX_|WEBHOOK_)/.test(name)),
  );
  return { ...env, POFLOW_DATA_DIR: dir, ...extra };
}

async function poflow(env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = Date.now();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, [
    '-e',
    'process.stdout.write(String(process.pid))',
  ]).stdout.toString();
  return Number(pid);
}

function record(dir: string, pid: number, temporalPort: number): StackFile {
  const stack: StackFile = {
    pid,
    startedAt: new Date().toISOString(),
    temporal: { address: `127.0.0.1:${temporalPort}`, uiUrl: 'http://127.0.0.1:1', embedded: true },
    dataDir: dir,
  };
  writeFileSync(stackFilePath(dir), JSON.stringify(stack));
  return stack;
}

test('a stack file whose pid is gone is ignored; a live one is read', () => {
  const dir = dataDir();
  expect(readLiveStack(dir)).toBeUndefined();
  record(dir, deadPid(), 1);
  expect(readLiveStack(dir)).toBeUndefined();
  const live = record(dir, process.pid, 1);
  expect(readLiveStack(dir)).toEqual(live);
  writeFileSync(stackFilePath(dir), '{"pid": ');
  expect(readLiveStack(dir)).toBeUndefined();
});

test('with nothing listening, a command fails within seconds naming what it tried and the variables', async () => {
  // Nothing on the port, no stack file: the variable's address.
  const port = await freePort();
  const none = await poflow(secondTerminal(dataDir(), { TEMPORAL_PORT: String(port) }), ['list']);
  expect(none.code).toBe(1);
  expect(none.stderr).toContain(`cannot reach Temporal at 127.0.0.1:${port}`);
  expect(none.stderr).toMatch(/TEMPORAL_ADDRESS.*TEMPORAL_PORT/s);
  expect(none.stderr).toContain(`from TEMPORAL_PORT=${port}`);
  expect(none.ms).toBeLessThan(5000);

  // A live stack file (this process's pid) whose Temporal is gone: the file is named.
  const dir = dataDir();
  const gone = await freePort();
  record(dir, process.pid, gone);
  const recorded = await poflow(secondTerminal(dir), ['status', 'PO-1', '--json']);
  expect(recorded.code).toBe(1);
  expect(recorded.stdout).toContain(`cannot reach Temporal at 127.0.0.1:${gone}`);
  expect(recorded.stdout).toContain(stackFilePath(dir));
  expect(recorded.ms).toBeLessThan(5000);

  // A stale file (its pid gone) is not what is tried.
  const stale = dataDir();
  record(stale, deadPid(), gone);
  const ignored = await poflow(secondTerminal(stale), ['list', '--json']);
  expect(ignored.stdout + ignored.stderr).not.toContain(`127.0.0.1:${gone}`);
  if (ignored.code !== 0)
    expect(ignored.stdout).toContain('the default (TEMPORAL_ADDRESS and TEMPORAL_PORT unset');
});

test('a second terminal with only the data dir reaches the stack; Ctrl-C removes the file', async () => {
  const dir = dataDir();
  const ports = {
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    SANDBOX_PORT: await freePort(),
    WEBHOOK_PORT: await freePort(),
    POFLOW_METRICS_PORT: await freePort(),
    POFLOW_CODEC_PORT: await freePort(),
    POFLOW_API_PORT: await freePort(),
  };
  const env = {
    ...secondTerminal(dir),
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const file = stackFilePath(dir);
  const stack = await runningPoflow(env, ['Press Ctrl-C to stop.'], ['start'], 180_000);
  const { child } = stack;
  try {
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual({
      pid: child.pid,
      startedAt: expect.any(String),
      temporal: {
        address: `127.0.0.1:${ports.TEMPORAL_PORT}`,
        uiUrl: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
        embedded: true,
      },
      sandbox: { port: ports.SANDBOX_PORT },
      webhooks: { port: ports.WEBHOOK_PORT },
      codec: { port: ports.POFLOW_CODEC_PORT },
      api: { port: ports.POFLOW_API_PORT },
      metrics: { port: ports.POFLOW_METRICS_PORT },
      dataDir: dir,
    });
    expect(text).not.toMatch(/token|secret|key/i);

    const list = await poflow(secondTerminal(dir), ['list', '--json']);
    expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
    const status = await poflow(secondTerminal(dir), ['status', 'PO-NOWHERE', '--json']);
    expect(status.stdout + status.stderr).not.toContain('cannot reach Temporal');
    expect(status.stdout + status.stderr).toContain('PO-NOWHERE');
  } finally {
    expect(await stack.stop()).toBe(0);
  }
  expect(existsSync(file)).toBe(false);
});
