/**
 * The whole poflow stack for the operator-side suites (CLI, import, demo, Web UI): the embedded dev
 * server with its Web UI (the launcher `poflow start` uses, on free ports and a temporary SQLite
 * file), the sandbox (Flexport and Flxpoint), the webhook receiver the sandbox delivers to, and
 * both workers with the real activities: `poflow` and the rate-limited `poflow-flxpoint`. `poflow`
 * itself runs as a real subprocess pointed at them.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createActivities } from '../../activities';
import { FlexportClient } from '../../activities/flexport/client';
import { createFlxpointActivities } from '../../activities/flxpoint/activities';
import { FlxpointClient } from '../../activities/flxpoint/client';
import type { AlertSink } from '../../activities/notifications';
import { parseCodecKeys } from '../../codec/keys';
import { startCodecServer } from '../../codec/server';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { TASK_QUEUE } from '../../providers/start-once';
import { startDevServer } from '../../worker/dev-server';
import { PROJECT_ROOT } from '../../worker/temporal-binaries';
import { createProviderWorker } from '../../worker/worker';
import { startWebhookReceiver } from '../../webhooks/receiver';
import { TEST_CODEC_KEYS } from './codec';
import { until } from './po-harness';
import { freePort } from './ports';
import { workerDefaults } from './temporal';

export interface Stack {
  client: Client;
  sandbox: Sandbox;
  /** The Web UI, e.g. http://127.0.0.1:41234 */
  uiUrl: string;
  /** The codec server the Web UI decodes payloads through. */
  codecUrl: string;
  temporalAddress: string;
  /** What a `poflow` subprocess needs to reach this stack. */
  cliEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  // Worker logs at warnings only: jest output stays readable. Installed once per test file.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-stack-'));
  const stops: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const uiPort = await freePort();
    const codecServer = await startCodecServer({
      port: 0,
      keys: parseCodecKeys(TEST_CODEC_KEYS, 'the test keys'),
      corsOrigins: [`http://127.0.0.1:${uiPort}`],
    });
    stops.push(codecServer.close);
    const server = await startDevServer({
      port: await freePort(),
      uiPort,
      namespace: 'default',
      dbFile: path.join(dir, 'temporal.sqlite'),
      codecEndpoint: codecServer.url,
    });
    stops.push(server.stop);
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, dataConverter: workerDefaults.dataConverter });

    const secret = randomBytes(16).toString('hex');
    const receiver = await startWebhookReceiver({ port: 0, secrets: [secret], client, logger: pino({ level: 'silent' }) }); // prettier-ignore
    stops.push(receiver.close);
    const sandbox = await startSandbox({
      port: 0,
      webhooks: [{ url: `${receiver.url}/webhooks/flexport`, secret }],
    });
    stops.push(sandbox.close);

    const alerts: AlertSink = { raise: () => {} };
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    stops.push(() => nativeConnection.close());
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: TASK_QUEUE,
      ...workerDefaults,
      activities: createActivities({ flexport: new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' }), alerts }), // prettier-ignore
    });
    const flxpoint = { baseUrl: `${sandbox.url}/flxpoint`, apiToken: 'sandbox' };
    const flxpointWorker = await createProviderWorker({
      provider: 'flxpoint',
      connection: nativeConnection,
      namespace: 'default',
      dataConverter: workerDefaults.dataConverter,
      activities: createFlxpointActivities({ flxpoint: new FlxpointClient(flxpoint) }),
    });
    const running = Promise.all([worker.run(), flxpointWorker.run()]);
    stops.push(async () => {
      worker.shutdown();
      flxpointWorker.shutdown();
      await running;
    });

    const cliEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_UI_URL: server.uiUrl,
      FLEXPORT_BASE_URL: sandbox.url,
      FLEXPORT_API_TOKEN: 'sandbox',
      FLXPOINT_BASE_URL: flxpoint.baseUrl,
      FLXPOINT_API_TOKEN: flxpoint.apiToken,
      POFLOW_CODEC_KEYS: TEST_CODEC_KEYS,
    };
    return { client, sandbox, uiUrl: server.uiUrl, codecUrl: codecServer.url, temporalAddress: server.address, cliEnv, stop }; // prettier-ignore
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface StackSuite {
  readonly stack: Stack;
  poflow(...args: string[]): Promise<CliResult>;
  /** `poflow status <name> --json ...args` again until `ready` holds (30 s at most): workflows move on their own. */
  statusUntil(name: string, ready: (po: Json) => boolean, ...args: string[]): Promise<Json>;
}

/** The stack for one test file: started before its tests, stopped after them. */
export function stackPerFile(): StackSuite {
  let started: Stack | undefined;
  let starting: Promise<Stack> | undefined;
  beforeAll(async () => {
    starting = startStack();
    started = await starting;
  }, 180_000);
  // A start that outlives beforeAll's timeout (a starved machine) still finishes: stop that stack
  // too, or its servers keep jest from exiting.
  afterAll(async () => (started ?? (await starting?.catch(() => undefined)))?.stop(), 120_000);
  const stack = () => {
    if (!started) throw new Error('the poflow stack did not start');
    return started;
  };
  const poflow = (...args: string[]) => runCli(stack(), args);
  return {
    get stack() {
      return stack();
    },
    poflow,
    async statusUntil(name, ready, ...args) {
      // Waits here, on the workflow's state query (a CLI run costs a Node start), then shows the
      // state through the CLI, which must agree.
      const at = args.indexOf('--provider');
      const provider = at >= 0 ? args[at + 1] : 'flexport';
      // Two minutes: a PO started behind an earlier test's hundreds in the same stack takes its first
      // task only when the worker gets to it (a quiet run's import suite waited over 30 s).
      await until(stack().client.workflow.getHandle(`po/${provider}/${name}`), ready, 120_000);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const result = await poflow('status', name, ...args, '--json');
        if (result.code === 0 && ready(jsonOf(result))) return jsonOf(result);
        if (Date.now() > deadline)
          throw new Error(`PO ${name} never got there: ${result.stdout}${result.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
  };
}

/** A `--json` run refused as bad input: exit code 2 and an error message like this. */
export function expectBadInput(result: CliResult, message: RegExp): void {
  expect({ code: result.code, error: jsonOf(result).error }).toEqual({
    code: 2,
    error: expect.stringMatching(message),
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/poflow.js ...args` as a user runs it, against this stack. */
export function runCli(
  stack: Pick<Stack, 'cliEnv'>,
  args: string[],
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), ...args],
      { cwd: PROJECT_ROOT, env: stack.cliEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A JSON document as tests read it: shapes are asserted with expect, not declared. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The JSON document a `--json` run printed. */
export function jsonOf(result: CliResult): Json {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
