/**
 * The operations endpoints of a long-running poflow process (`start`, `worker`, `webhooks`): `/metrics`
 * (poflow's metrics, then the Temporal SDK's worker metrics, in the Prometheus text format), `/healthz`
 * (the process is up) and `/readyz` (every readiness check passes: connected to Temporal, workers
 * polling, providers reachable; 503 once shutting down), with the checks themselves and the SDK's
 * telemetry. What needs poflow's configuration or its workflows (the server as a command starts it,
 * the PO gauges' counts) is in `worker/operations.ts`.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import Fastify from 'fastify';
import { createServer, type AddressInfo } from 'node:net';
import { registry } from './metrics';
import type { LogLevel } from './log-level';
import { poflowLogger, sdkLevelOf, sdkLoggerOf } from './logger';

/** Resolves when the thing checked is ready; rejects with the reason when it is not. */
export type ReadinessCheck = () => Promise<unknown> | unknown;

const CHECK_TIMEOUT_MS = 3000;

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** Runs every check at once, each with a deadline; `ok` or the reason per check. */
export async function readiness(checks: Record<string, ReadinessCheck>): Promise<Readiness> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([Promise.resolve().then(check), deadline]);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : String(err)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/** Temporal answers on this connection. */
export const temporalAnswers = (connection: NativeConnection) => () =>
  connection.workflowService.getSystemInfo({});

/** Every worker is running (polling its task queue). */
export const workersPolling = (workers: Worker[]) => () => {
  for (const worker of workers) {
    const state = worker.getState();
    if (state !== 'RUNNING')
      throw new Error(`worker on ${worker.options.taskQueue} is ${state.toLowerCase()}`);
  }
};

/** Something answers HTTP at this base URL (any status: reachable is all that is asked). */
export const providerReachable = (baseUrl: string) => async () => {
  try {
    const response = await fetch(baseUrl, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await response.body?.cancel();
  } catch (err) {
    throw new Error(
      `${new URL(baseUrl).origin} unreachable: ${(err as Error).cause ?? (err as Error).message}`,
    );
  }
};

export interface OperationsServerOptions {
  port: number;
  /** 127.0.0.1 unless given: the endpoints answer anyone who reaches them, without authentication. */
  host?: string;
  checks: Record<string, ReadinessCheck>;
  /** The SDK's Prometheus exporter on a loopback port: its text follows poflow's at /metrics. */
  sdkMetricsUrl?: string;
}

export interface OperationsServer {
  url: string;
  /** From now on `/readyz` answers 503: the process is shutting down. */
  drain(): void;
  close(): Promise<void>;
}

export async function startOperationsServer(options: OperationsServerOptions): Promise<OperationsServer> {
  let draining = false;
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' });
    const report = await readiness(options.checks);
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const own = await registry.metrics();
    const sdk = options.sdkMetricsUrl ? await sdkMetrics(options.sdkMetricsUrl) : '';
    return reply.type(registry.contentType).send(`${own}\n${sdk}`);
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${urlHost(host)}:${port}`,
    drain: () => (draining = true),
    close: () => app.close(),
  };
}

/** Where a client reaches a server listening on `host`: loopback for the wildcard addresses. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function sdkMetrics(url: string): Promise<string> {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) })).text();
  } catch (err) {
    // poflow's own metrics still go out; the gap in the SDK's shows on the dashboard.
    return `# the Temporal SDK's metrics were not available: ${(err as Error).message}\n`;
  }
}

/**
 * Installs the SDK's runtime with its Prometheus exporter on a free loopback port (the operations
 * server serves its text); must run before the process's first connection to Temporal.
 */
export async function installTelemetry(level: LogLevel): Promise<string> {
  const port = await freeLoopbackPort();
  const { Runtime, makeTelemetryFilterString } = await import('@temporalio/worker');
  Runtime.install({
    // The SDK's lines (worker state, workflow `log`, the Rust core's own) join poflow's log.
    logger: sdkLoggerOf(poflowLogger('temporal-sdk')),
    telemetryOptions: {
      logging: {
        // The core is chatty below WARN: its debug lines come only when poflow's level asks for them.
        filter: makeTelemetryFilterString({
          core: level === 'debug' || level === 'trace' ? sdkLevelOf(level) : 'WARN',
        }),
        forward: {},
      },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } },
    },
  });
  return `http://127.0.0.1:${port}/metrics`;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
