/**
 * Servers that answer without authentication stay on loopback unless the operator says otherwise:
 * `poflow codec-server --host` off loopback needs POFLOW_CODEC_AUTH_TOKEN (or --allow-no-auth, with
 * a warning), and the operations endpoints (/metrics, /healthz, /readyz) listen on 127.0.0.1 unless
 * POFLOW_METRICS_HOST says otherwise, with a warning when it does.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyEntry } from '../codec/keys';
import { freePort } from './support/ports';
import { runningPoflow } from './support/poflow-process';
import { runCli } from './support/stack';
import { devServerEnv } from './support/temporal';

const dataDir = mkdtempSync(path.join(tmpdir(), 'poflow-listen-hosts-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** This machine's address on another interface: what a host on its network connects to. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
const withOutsideAddress = outside ? test : test.skip;

async function baseEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POFLOW_DATA_DIR: dataDir,
    POFLOW_CODEC_KEYS: generateKeyEntry(),
    POFLOW_CODEC_PORT: String(await freePort()),
    ...extra,
  };
}

async function answers(url: string): Promise<number | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.status;
  } catch (err) {
    return String((err as Error).cause ?? err);
  }
}

describe('poflow codec-server --host', () => {
  test('off loopback without POFLOW_CODEC_AUTH_TOKEN: exit 2, naming the variable and the ways out', async () => {
    const result = await runCli({ cliEnv: await baseEnv() }, ['codec-server', '--host', '0.0.0.0'], 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('poflow: POFLOW_CODEC_AUTH_TOKEN: required with --host 0.0.0.0');
    expect(result.stderr).toContain('--allow-no-auth');
  });

  test('off loopback with a token: it serves, and refuses calls without the token', async () => {
    const env = await baseEnv({ POFLOW_CODEC_AUTH_TOKEN: 'codec-token' });
    const server = await runningPoflow(env, ['codec server on http'], ['codec-server', '--host', '0.0.0.0']);
    try {
      expect(server.output()).toContain('bearer token required');
      const decode = await fetch(`http://127.0.0.1:${env.POFLOW_CODEC_PORT}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"payloads":[]}',
      });
      expect(decode.status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  test('off loopback with --allow-no-auth: it serves, with a warning that says what it exposes', async () => {
    const env = await baseEnv({ POFLOW_LOG_LEVEL: 'warn' });
    const warning =
      '--allow-no-auth: the codec server on 0.0.0.0 decrypts payloads for anyone who reaches it';
    const server = await runningPoflow(env, ['codec server on http', warning], ['codec-server', '--host', '0.0.0.0', '--allow-no-auth']); // prettier-ignore
    try {
      expect(server.output()).toMatch(/"level":40,.*"component":"codec-server"/);
      expect(await answers(`http://127.0.0.1:${env.POFLOW_CODEC_PORT}/healthz`)).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('on loopback (the default) no token is needed', async () => {
    const env = await baseEnv();
    const server = await runningPoflow(env, ['codec server on http'], ['codec-server']);
    await server.stop();
    expect(server.output()).toContain('codec server on http://127.0.0.1:');
  });
});

describe('operations endpoints of poflow worker', () => {
  let temporal: TestWorkflowEnvironment;
  beforeAll(async () => {
    temporal = await devServerEnv();
  }, 120_000);
  afterAll(async () => {
    await temporal?.teardown();
  });

  async function worker(extra: NodeJS.ProcessEnv) {
    const metricsPort = await freePort();
    const env = await baseEnv({
      TEMPORAL_ADDRESS: temporal.address,
      POFLOW_FLXPOINT_WORKER: 'off',
      POFLOW_METRICS_PORT: String(metricsPort),
      ...extra,
    });
    const run = await runningPoflow(env, ['workers polling'], ['worker']);
    return { run, metricsPort };
  }

  withOutsideAddress('listen on 127.0.0.1 by default: another host cannot reach them', async () => {
    const { run, metricsPort } = await worker({});
    try {
      expect(await answers(`http://127.0.0.1:${metricsPort}/healthz`)).toBe(200);
      expect(await answers(`http://${outside}:${metricsPort}/healthz`)).toMatch(/ECONNREFUSED/);
      expect(run.output()).not.toContain('POFLOW_METRICS_HOST');
    } finally {
      await run.stop();
    }
  });

  withOutsideAddress(
    'POFLOW_METRICS_HOST=0.0.0.0 exposes them, with a warning that they have no authentication',
    async () => {
      const { run, metricsPort } = await worker({ POFLOW_METRICS_HOST: '0.0.0.0' });
      try {
        expect(await answers(`http://${outside}:${metricsPort}/healthz`)).toBe(200);
        const warning = run
          .output()
          .split('\n')
          .find((line) => line.includes('POFLOW_METRICS_HOST=0.0.0.0'));
        expect(warning && JSON.parse(warning)).toMatchObject({
          level: 40,
          component: 'operations',
          host: '0.0.0.0',
          port: metricsPort,
          msg: expect.stringContaining('without authentication'),
        });
      } finally {
        await run.stop();
      }
    },
  );
});
