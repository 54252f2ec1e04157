/**
 * The ports poflow's processes listen on, as an operator running several of them on one host meets
 * them: each split process has its own default operations port, an explicit `POFLOW_METRICS_PORT`
 * always wins; a port already taken is refused before anything is generated or started, naming the
 * port, its holder and the variable to change; a failure is never hidden by its clean-up's.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultKeyFile, generateKeyEntry } from '../codec/keys';
import { withCleanUp } from '../worker/clean-up';
import { loadConfig } from '../worker/config';
import { DEFAULT_METRICS_PORTS, metricsPortOf } from '../worker/metrics-port';
import { freePort } from './support/ports';
import { runCli } from './support/stack';

const dir = mkdtempSync(path.join(tmpdir(), 'poflow-listener-ports-'));
let taken: Server;
let takenPort = 0;

beforeAll(async () => {
  takenPort = await freePort();
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A command's environment: nothing real to reach, this file's data directory. */
async function envWith(variables: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POFLOW_DATA_DIR: dir,
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    WEBHOOK_SECRET: 'listener-ports-test-secret',
    WEBHOOK_PORT: String(await freePort()),
    POFLOW_CODEC_PORT: String(await freePort()),
    ...variables,
  };
}

const inUse = (variable: string) => `poflow: ${variable} ${takenPort} is in use by pid ${process.pid} (`;

test('each command serving operations endpoints has its own default POFLOW_METRICS_PORT; a set one wins', () => {
  expect(DEFAULT_METRICS_PORTS).toEqual({ start: 9464, worker: 9465, webhooks: 9466, api: 9467 });
  const config = loadConfig({});
  expect(config.operations.metricsPort).toBe(9464);
  expect(config.api.metricsPort).toBe(9467);
  for (const [command, port] of Object.entries(DEFAULT_METRICS_PORTS)) {
    const name = command as keyof typeof DEFAULT_METRICS_PORTS;
    expect(metricsPortOf(name, {}, config.operations.metricsPort)).toBe(port);
    expect(metricsPortOf(name, { POFLOW_METRICS_PORT: ' ' }, config.operations.metricsPort)).toBe(port);
    const explicit = loadConfig({ POFLOW_METRICS_PORT: '9999' });
    expect(metricsPortOf(name, { POFLOW_METRICS_PORT: '9999' }, explicit.operations.metricsPort)).toBe(9999);
  }
  expect(loadConfig({ POFLOW_METRICS_PORT: '9999' }).api.metricsPort).toBe(9999);
});

test('a taken POFLOW_METRICS_PORT is named by poflow worker, webhooks and api before they connect', async () => {
  const commands: Array<[string, NodeJS.ProcessEnv]> = [
    ['worker', {}],
    ['webhooks', {}],
    ['api', { POFLOW_API_TOKENS: `erp:${'t'.repeat(32)}`, POFLOW_API_PORT: String(await freePort()) }],
  ];
  for (const [command, variables] of commands) {
    const env = await envWith({ ...variables, POFLOW_METRICS_PORT: String(takenPort) });
    const result = await runCli({ cliEnv: env }, [command]);
    expect({ command, code: result.code }).toEqual({ command, code: 1 });
    expect(result.stderr).toContain(inUse('POFLOW_METRICS_PORT'));
    expect(result.stderr).toContain('Stop it or set POFLOW_METRICS_PORT to a free port.');
    expect(result.stderr).not.toContain('Cannot close connection');
  }
});

test('a taken POFLOW_CODEC_PORT is refused before poflow start generates a key, and by poflow codec-server', async () => {
  const start = await runCli({ cliEnv: await envWith({ POFLOW_CODEC_PORT: String(takenPort) }) }, ['start']);
  expect(start.code).toBe(1);
  expect(start.stderr).toContain(inUse('POFLOW_CODEC_PORT'));
  expect(existsSync(defaultKeyFile(dir))).toBe(false);

  const keys = `k1:${generateKeyEntry().split(':').slice(1).join(':')}`;
  const env = await envWith({ POFLOW_CODEC_PORT: String(takenPort), POFLOW_CODEC_KEYS: keys });
  const codec = await runCli({ cliEnv: env }, ['codec-server']);
  expect(codec.code).toBe(1);
  expect(codec.stderr).toContain(inUse('POFLOW_CODEC_PORT'));
});

test("a failure during start-up is reported, not the clean-up's failure after it", async () => {
  const cleanUp = jest.fn(async () => {
    throw new Error('Cannot close connection while Workers hold a reference to it');
  });
  await expect(
    withCleanUp(async () => Promise.reject(new Error('the first error')), cleanUp),
  ).rejects.toThrow('the first error');
  expect(cleanUp).toHaveBeenCalledTimes(1);
  await expect(
    withCleanUp(
      async () => 'done',
      async () => undefined,
    ),
  ).resolves.toBe('done');
});
