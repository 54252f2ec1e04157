/**
 * `poflow sandbox`: only the provider sandbox, delivering webhooks to a receiver with a configured
 * secret.
 */
import { startSandbox } from '../../sandbox/server';
import { webhookSecrets } from '../../webhooks/main';
import { loadConfig } from '../../worker/config';
import { poflowLogger } from '../../infra/logger';
import { untilInterrupted } from '../../worker/interrupt';

export async function runSandbox(options: { dbFile?: string; seed?: number }): Promise<void> {
  const config = loadConfig();
  const logger = poflowLogger('sandbox');
  // Deliveries need the receiver's secret: only a configured one can be shared across processes.
  const webhooks = config.webhooks.secretGenerated
    ? []
    : [
        {
          url: `http://127.0.0.1:${config.webhooks.port}/webhooks/flexport`,
          secret: webhookSecrets(config)[0]!,
        },
      ];
  const sandbox = await startSandbox({
    port: config.sandbox.port,
    apiToken: config.flexport.apiToken,
    flxpointApiToken: config.flxpoint.apiToken,
    webhooks,
    dbFile: options.dbFile,
    seed: options.seed,
    logger,
  });
  const webhooksTo = webhooks.length ? `, webhooks to ${webhooks[0]!.url}` : '';
  logger.info(`Flexport sandbox on ${sandbox.url}${webhooksTo}; Ctrl-C stops it`);
  await untilInterrupted();
  await sandbox.close();
}
