/**
 * The receiver and the reconciler against the configured Temporal and Flexport: `poflow webhooks`
 * runs them alone, `poflow start` beside the rest of the stack.
 */
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { FlexportClient } from '../activities/flexport/client';
import { poflowDataConverter } from '../codec/aes-gcm';
import { flexportEventFeed } from './reconciler/flexport-event-feed';
import { unknownPoAdoption } from './adoption';
import { ConfigError, loadConfig, requireProviderSettings, type Config } from '../worker/config';
import { connectClient, connectWorker, type PoflowClient } from '../worker/connection';
import { poflowLogger } from '../infra/logger';
import { startReconciler } from './reconciler/runner';
import { startWebhookReceiver } from './receiver';
import { untilInterrupted } from '../worker/interrupt';
import { installTelemetry, providerReachable, temporalAnswers } from '../infra/operations';
import { metricsPortOf } from '../worker/metrics-port';
import { operationsPort, serveOperations } from '../worker/operations';
import { ensurePortsFree } from '../worker/leftover-server';
import { withCleanUp } from '../worker/clean-up';

export interface WebhooksCommandOptions {
  /** Also accept `X-Hub-Signature: sha1=` (older endpoints). */
  acceptSha1?: boolean;
  maxBodyBytes?: number;
}

export interface RunningWebhooks {
  /** Where the provider delivers: `<receiver>/webhooks/flexport`. */
  flexportUrl: string;
  reconcilerWorkflowId: string;
  close(): Promise<void>;
}

/** `WEBHOOK_SECRET` is comma-separated while rotating: every listed secret is accepted. */
export function webhookSecrets(config: Config): string[] {
  return config.webhooks.secret
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
}

export async function startWebhooks(
  config: Config,
  deps: { client: PoflowClient; connection: NativeConnection; logger: Logger },
  options: WebhooksCommandOptions = {},
): Promise<RunningWebhooks> {
  const flexportOptions = { baseUrl: config.flexport.baseUrl, apiToken: config.flexport.apiToken };
  const flexport = new FlexportClient(flexportOptions);
  const adoption =
    config.webhooks.unknownPoEvents === 'adopt' ? unknownPoAdoption(deps.client, flexport) : undefined;
  const reconciler = await startReconciler(deps.client, {
    adoption,
    connection: deps.connection,
    namespace: config.temporal.namespace,
    dataConverter: poflowDataConverter(config.codec.keys),
    flexport: flexportEventFeed(flexport, flexportOptions),
    logger: deps.logger,
  });
  try {
    const receiver = await startWebhookReceiver({
      port: config.webhooks.port,
      secrets: webhookSecrets(config),
      acceptSha1: options.acceptSha1,
      maxBodyBytes: options.maxBodyBytes,
      client: deps.client,
      adoption,
      logger: deps.logger,
      checks: { temporal: temporalAnswers(deps.connection) },
    });
    return {
      flexportUrl: `${receiver.url}/webhooks/flexport`,
      reconcilerWorkflowId: reconciler.workflowId,
      close: async () => {
        await receiver.close();
        await reconciler.close();
      },
    };
  } catch (err) {
    await reconciler.close();
    throw err;
  }
}

/** `poflow webhooks`. The provider signs with a secret it already has, so `WEBHOOK_SECRET` is required. */
export async function runWebhooks(options: WebhooksCommandOptions = {}): Promise<void> {
  const config = loadConfig();
  if (config.webhooks.secretGenerated) {
    throw new ConfigError('WEBHOOK_SECRET: required, the secret the provider signs deliveries with');
  }
  // The reconciler reads Flexport's event log and adoption reads its POs.
  requireProviderSettings(config, { flexport: true, webhooks: true });
  const logger = poflowLogger('webhooks');
  const metricsPort = metricsPortOf('webhooks', process.env, config.operations.metricsPort);
  await ensurePortsFree([
    { port: config.webhooks.port, variable: 'WEBHOOK_PORT' },
    operationsPort(config, metricsPort),
  ]);
  const sdkMetricsUrl = await installTelemetry(config.logLevel);
  const client = await connectClient(config);
  const connection = await connectWorker(config);
  const closeConnections = async () => {
    await client.connection.close();
    await connection.close();
  };
  // A failure to start is reported as itself: never as the connection refusing to close under the
  // reconciler's worker.
  await withCleanUp(async () => {
    const webhooks = await startWebhooks(config, { client, connection, logger }, options);
    // Operations refused: the receiver and the reconciler's worker stop first, so the connections close.
    const operations = await serveOperations(config, {
      metricsPort,
      sdkMetricsUrl,
      client,
      checks: { temporal: temporalAnswers(connection), flexport: providerReachable(config.flexport.baseUrl) },
    }).catch((err: unknown) => withCleanUp(() => Promise.reject(err), webhooks.close));
    logger.info(
      {
        receiver: webhooks.flexportUrl,
        reconciler: webhooks.reconcilerWorkflowId,
        operations: operations.url,
      },
      'webhook receiver and reconciler running; Ctrl-C stops them',
    );
    await untilInterrupted();
    await webhooks.close();
    await operations.close();
  }, closeConnections);
}
