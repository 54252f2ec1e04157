/**
 * `poflow api`: the ERP's HTTP API alone, against the configured Temporal (and, for adoption, the
 * configured providers), with its operations endpoints on `POFLOW_METRICS_PORT` [9467]. `poflow
 * start` runs the same server beside the rest of the stack (`startApi`), with the token file it
 * generates on first start (`ensureApiTokenFile`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../../infra/operations';
import { poflowLogger } from '../../infra/logger';
import { PROVIDERS } from '../../workflows/core/choices';
import {
  apiTokenFile,
  ConfigError,
  isLoopbackHost,
  loadConfig,
  requireProviderSettings,
  type Config,
} from '../../worker/config';
import { connectClient, type PoflowClient } from '../../worker/connection';
import { untilInterrupted } from '../../worker/interrupt';
import { operationsPort, serveOperations } from '../../worker/operations';
import { ensurePortsFree } from '../../worker/leftover-server';
import { workflowUiUrl } from '../format';
import { startApiServer, type RunningApiServer } from './server';

/** The API as `poflow start` and `poflow api` run it: on POFLOW_API_HOST:POFLOW_API_PORT. */
export async function startApi(
  config: Config,
  client: PoflowClient,
  logger: Logger = poflowLogger('api'),
): Promise<RunningApiServer> {
  const server = await startApiServer({
    port: config.api.port,
    host: config.api.host,
    client,
    providers: config,
    tokens: config.api.tokens,
    rateLimit: config.api.rateLimit,
    corsOrigins: config.api.corsOrigins,
    uiUrlOf: (workflowId) => workflowUiUrl(config, workflowId),
    logger,
    checks: { temporal: temporalAnswers(client) },
  });
  if (!isLoopbackHost(config.api.host)) {
    logger.warn(
      { host: config.api.host, port: config.api.port },
      `POFLOW_API_HOST=${config.api.host}: the API answers in plain HTTP; terminate TLS in a proxy ` +
        'in front of it and keep this port reachable only by that proxy',
    );
  }
  return server;
}

/** `poflow api`: refuses to start without a token; Ctrl-C stops it (requests in flight finish). */
export async function runApi(): Promise<void> {
  const config = loadConfig();
  if (config.api.tokens.length === 0) {
    throw new ConfigError(
      'POFLOW_API_TOKENS: required (name:token[:read],...), the bearer tokens callers of the API send; ' +
        `or the file ${apiTokenFile()} that poflow start generates when the variable is unset`,
    );
  }
  // Adoption reads a PO at its provider: a provider at a configured address needs its token.
  requireProviderSettings(config, Object.fromEntries(PROVIDERS.map((provider) => [provider, true])));
  await ensurePortsFree([
    { port: config.api.port, variable: 'POFLOW_API_PORT', host: config.api.host },
    operationsPort(config, config.api.metricsPort),
  ]);
  const logger = poflowLogger('api');
  const client = await connectClient(config);
  try {
    const api = await startApi(config, client, logger);
    const operations = await serveOperations(config, {
      metricsPort: config.api.metricsPort,
      // No worker here: no SDK worker metrics to add to poflow's own.
      sdkMetricsUrl: '',
      client,
      checks: { temporal: temporalAnswers(client) },
    });
    logger.info(
      { api: `${api.url}/v1`, operations: operations.url, tokens: config.api.tokensSource },
      `ERP API on ${api.url}/v1 (tokens from ${config.api.tokensSource}); Ctrl-C stops it`,
    );
    await untilInterrupted();
    await api.close();
    await operations.close();
  } finally {
    await client.connection.close();
  }
}

function temporalAnswers(client: PoflowClient): ReadinessCheck {
  return () => client.connection.workflowService.getSystemInfo({});
}

/**
 * `poflow start` with `POFLOW_API_TOKENS` unset: generates `.data/api-tokens` (mode 600, one
 * `name:token` line) unless it exists. Returns the file's path when it was just created.
 */
export function ensureApiTokenFile(env: NodeJS.ProcessEnv, file = apiTokenFile()): string | undefined {
  if (env.POFLOW_API_TOKENS?.trim()) return undefined;
  if (existsSync(file)) return undefined;
  mkdirSync(path.dirname(file), { recursive: true });
  const header =
    '# poflow ERP API tokens, name:token[:read], one a line; callers send Authorization: Bearer <token>';
  try {
    // `wx`: two starts racing never overwrite each other's token.
    writeFileSync(file, `${header}\nerp:${randomBytes(32).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    return file;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
}
