/**
 * A provider at a configured address with the sandbox's defaults looks like it works and then
 * refuses everything (401): every process that calls it exits 2 instead, naming the variable, before
 * it starts or writes anything. An explicit `FLEXPORT_API_TOKEN=sandbox` and a standalone
 * `poflow sandbox` keep working; the embedded stack (`poflow start` with nothing set) is
 * test/start.test.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, requireProviderSettings } from '../worker/config';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { freePort } from './support/ports';
import { runCli } from './support/stack';

const FLEXPORT = 'https://api.flexport.example';
const FLXPOINT = 'https://api.flxpoint.example';
const dataDir = mkdtempSync(path.join(tmpdir(), 'poflow-provider-settings-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Nothing answers on port 1: a process that gets past its configuration fails to connect (exit 1). */
async function envWith(extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POFLOW_DATA_DIR: dataDir,
    POFLOW_LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    POFLOW_CODEC_PORT: String(await freePort()),
    POFLOW_METRICS_PORT: String(await freePort()),
    WEBHOOK_PORT: String(await freePort()),
    ...extra,
  };
}

async function poflow(extra: NodeJS.ProcessEnv, ...args: string[]) {
  return runCli({ cliEnv: await envWith(extra) }, args, 60_000);
}

describe('a provider other than the embedded sandbox: its token and secret are configuration errors', () => {
  test.each([
    ['start', { FLEXPORT_BASE_URL: FLEXPORT, WEBHOOK_SECRET: 'w' }, 'FLEXPORT_API_TOKEN: required with FLEXPORT_BASE_URL (https://api.flexport.example)'], // prettier-ignore
    ['start', { FLEXPORT_BASE_URL: FLEXPORT, FLEXPORT_API_TOKEN: 't' }, 'WEBHOOK_SECRET: required with FLEXPORT_BASE_URL (https://api.flexport.example)'], // prettier-ignore
    ['start', { FLXPOINT_BASE_URL: FLXPOINT }, 'FLXPOINT_API_TOKEN: required with FLXPOINT_BASE_URL (https://api.flxpoint.example)'], // prettier-ignore
    ['worker', { FLEXPORT_BASE_URL: FLEXPORT }, 'FLEXPORT_API_TOKEN: required with FLEXPORT_BASE_URL'],
    ['worker', { FLXPOINT_BASE_URL: FLXPOINT }, 'FLXPOINT_API_TOKEN: required with FLXPOINT_BASE_URL'],
    ['webhooks', { FLEXPORT_BASE_URL: FLEXPORT, WEBHOOK_SECRET: 'w' }, 'FLEXPORT_API_TOKEN: required with FLEXPORT_BASE_URL'], // prettier-ignore
  ])('poflow %s with %j exits 2: %s', async (command, env, message) => {
    const result = await poflow(env, command);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining(`poflow: ${message}`),
    });
    // Refused before anything was written: `poflow start` has not generated its payload key.
    expect(existsSync(path.join(dataDir, 'codec-keys'))).toBe(false);
  });

  test.each([
    [
      'flexport',
      'PO-1',
      { FLEXPORT_BASE_URL: FLEXPORT },
      'FLEXPORT_API_TOKEN: required with FLEXPORT_BASE_URL',
    ],
    [
      'flxpoint',
      '4100',
      { FLXPOINT_BASE_URL: FLXPOINT },
      'FLXPOINT_API_TOKEN: required with FLXPOINT_BASE_URL',
    ],
  ])('poflow adopt --provider %s %s with %j exits 2: %s', async (provider, name, env, message) => {
    const result = await poflow(env, 'adopt', name, '--provider', provider);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining(`poflow: ${message}`),
    });
  });

  test('an explicit token gets past the configuration, FLEXPORT_API_TOKEN=sandbox too', async () => {
    const result = await poflow({ FLEXPORT_BASE_URL: FLEXPORT, FLEXPORT_API_TOKEN: 'sandbox', FLXPOINT_BASE_URL: FLXPOINT, FLXPOINT_API_TOKEN: 'f' }, 'worker'); // prettier-ignore
    // It fails on the unreachable Temporal (exit 1), not on its configuration.
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/_API_TOKEN|WEBHOOK_SECRET/);
  });

  test('a worker that sends no Flxpoint requests (POFLOW_FLXPOINT_WORKER=off) needs no Flxpoint token', () => {
    const config = loadConfig({ FLXPOINT_BASE_URL: FLXPOINT, POFLOW_FLXPOINT_WORKER: 'off' });
    expect(() => requireProviderSettings(config, { flexport: true, flxpoint: config.flxpoint.worker })).not.toThrow(); // prettier-ignore
    expect(() => requireProviderSettings(config, { flxpoint: true })).toThrow(ConfigError);
  });

  test('the embedded sandbox needs neither: its token and a secret generated per start', () => {
    const config = loadConfig({});
    expect(() => requireProviderSettings(config, { flexport: true, flxpoint: true, webhooks: true })).not.toThrow(); // prettier-ignore
    expect(config.flexport.apiToken).toBe('sandbox');
  });
});

test('a standalone poflow sandbox runs with FLEXPORT_BASE_URL set and no token: it is the provider, calling none', async () => {
  const sandboxPort = await freePort();
  const env = await envWith({ FLEXPORT_BASE_URL: `http://127.0.0.1:${sandboxPort}`, SANDBOX_PORT: String(sandboxPort), POFLOW_LOG_LEVEL: 'info' }); // prettier-ignore
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), 'sandbox'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    for (const deadline = Date.now() + 60_000; !output.includes('Flexport sandbox on');) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`poflow sandbox did not come up:\n${output}`); // prettier-ignore
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    child.kill('SIGINT');
    await exited;
  }
});
