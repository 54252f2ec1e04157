/**
 * `poflow webhooks`: the receiver and the reconciler against the configured Temporal and
 * Flexport. The provider signs with a secret it already has, so this command needs
 * `WEBHOOK_SECRET` (comma-separated while rotating: every listed secret is accepted).
 */
import { FlexportClient } from '../activities/flexport';
import { flexportEventFeed } from '../activities/reconciler';
import { ConfigError, loadConfig } from '../worker/config';
import { connectClient, connectWorker } from '../worker/connection';
import { webhookLogger } from './logger';
import { startReconciler } from './reconciler';
import { startWebhookReceiver } from './receiver';

export interface WebhooksCommandOptions {
  /** Also accept `X-Hub-Signature: sha1=` (older endpoints). */
  acceptSha1?: boolean;
  maxBodyBytes?: number;
}

export async function runWebhooks(options: WebhooksCommandOptions = {}): Promise<void> {
  const config = loadConfig();
  if (config.webhooks.secretGenerated) {
    throw new ConfigError('WEBHOOK_SECRET: required, the secret the provider signs deliveries with');
  }
  const secrets = config.webhooks.secret.split(',').map((s) => s.trim()).filter(Boolean); // prettier-ignore
  const logger = webhookLogger();
  const client = await connectClient(config);
  const connection = await connectWorker(config);
  const stops: Array<() => Promise<void>> = [() => client.connection.close(), () => connection.close()];
  try {
    const flexport = new FlexportClient({
      baseUrl: config.flexport.baseUrl,
      apiToken: config.flexport.apiToken,
    });
    const feed = flexportEventFeed(flexport);
    const reconciler = await startReconciler(client, {
      connection,
      namespace: config.temporal.namespace,
      flexport: feed,
      logger,
    });
    stops.unshift(reconciler.close);
    const receiver = await startWebhookReceiver({
      port: config.webhooks.port,
      secrets,
      acceptSha1: options.acceptSha1,
      maxBodyBytes: options.maxBodyBytes,
      client,
      logger,
    });
    stops.unshift(receiver.close);
    logger.info(
      {
        receiver: `${receiver.url}/webhooks/flexport`,
        reconciler: reconciler.workflowId,
        secrets: secrets.length,
      },
      'webhook receiver and reconciler running; Ctrl-C stops them',
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    for (const stop of stops)
      await stop().catch((err) => logger.error({ err: String(err) }, 'stopping failed'));
  }
}
