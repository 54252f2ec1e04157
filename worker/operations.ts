/**
 * The operations server as a long-running command (`start`, `worker`, `webhooks`) runs it: on
 * `POFLOW_METRICS_PORT` from poflow's configuration, draining on SIGINT and SIGTERM, with the PO
 * gauges counted through visibility. The server, its readiness checks and the SDK's telemetry are
 * process infrastructure, in `infra/operations.ts`.
 */
import type { Client } from '@temporalio/client';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { STATUS_MEANINGS } from '../workflows/core/status';
import { isLoopbackHost, type Config } from './config';
import { latePurchaseOrders, purchaseOrders } from '../infra/metrics';
import { poflowLogger } from '../infra/logger';
import { startOperationsServer, type OperationsServer, type ReadinessCheck } from '../infra/operations';
import { listenError, type ListenerPort } from './leftover-server';

/** The operations port as `ensurePortsFree` checks it before a command starts anything. */
export function operationsPort(config: Config, metricsPort = config.operations.metricsPort): ListenerPort {
  return { port: metricsPort, variable: 'POFLOW_METRICS_PORT', host: config.operations.metricsHost };
}

/**
 * The operations server of a long-running command, with the PO gauges counted every
 * `POFLOW_PO_COUNT_INTERVAL_SECONDS`; `/readyz` answers 503 from the first SIGINT or SIGTERM on,
 * while the workers drain.
 */
export async function serveOperations(
  config: Config,
  options: {
    sdkMetricsUrl: string;
    client: Client;
    checks: Record<string, ReadinessCheck>;
    /** The command's own port (`metricsPortOf`); else `config.operations.metricsPort`, `poflow start`'s. */
    metricsPort?: number;
  },
): Promise<OperationsServer> {
  const host = config.operations.metricsHost;
  const port = options.metricsPort ?? config.operations.metricsPort;
  const server = await startOperationsServer({
    port,
    host,
    sdkMetricsUrl: options.sdkMetricsUrl,
    checks: options.checks,
  }).catch((err: unknown) => {
    throw listenError(err, { port, variable: 'POFLOW_METRICS_PORT' });
  });
  if (!isLoopbackHost(host)) {
    // Chosen by the operator (POFLOW_METRICS_HOST), so not refused; said where it cannot be missed.
    poflowLogger('operations').warn(
      { host, port: Number(new URL(server.url).port) },
      `POFLOW_METRICS_HOST=${host}: /metrics, /healthz and /readyz answer anyone who reaches this port, ` +
        'without authentication; keep it behind a firewall or network policy that admits only the scraper ' +
        'and the probes',
    );
  }
  const stopCounting = countPurchaseOrdersEvery(options.client, config.operations.poCountIntervalMs);
  process.once('SIGINT', server.drain);
  process.once('SIGTERM', server.drain);
  return {
    ...server,
    close: async () => {
      stopCounting();
      process.off('SIGINT', server.drain);
      process.off('SIGTERM', server.drain);
      await server.close();
    },
  };
}

/** Counts POs by status and late POs through visibility, now and then every `intervalMs`. */
export function countPurchaseOrdersEvery(client: Client, intervalMs: number): () => void {
  const po = `${SearchAttributes.PoName.name} IS NOT NULL`;
  const refresh = async () => {
    try {
      for (const status of Object.keys(STATUS_MEANINGS)) {
        const { count } = await client.workflow.count(
          `${po} AND ${SearchAttributes.PoStatus.name} = '${status}'`,
        );
        purchaseOrders.set({ status }, count);
      }
      const late = await client.workflow.count(
        `${po} AND ${SearchAttributes.PoLate.name} = true AND ExecutionStatus = 'Running'`,
      );
      latePurchaseOrders.set(late.count);
    } catch {
      // Visibility unavailable for a moment: the gauges keep their last values until the next count.
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
