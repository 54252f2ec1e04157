/**
 * Connections to Temporal for the worker and the client, in the SDK's own environment
 * configuration conventions: a TOML profile and `TEMPORAL_*` variables (address, namespace,
 * API key, TLS), so the same settings work for a self-hosted cluster and Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { poflowDataConverter } from '../codec/aes-gcm';
import { temporalAddress, type Config } from './config';

function connectionOptions(config: Config) {
  const { connectionOptions } = loadClientConnectConfig();
  // The embedded dev server is plain gRPC on loopback whatever a profile says.
  return config.temporal.address
    ? connectionOptions
    : { ...connectionOptions, address: temporalAddress(config), tls: undefined, apiKey: undefined };
}

/** A client whose `connection` is the full `Connection`, operator service included. */
export type PoflowClient = Client & { connection: Connection };

/** No Temporal server answered: says where poflow looked and how to get one there. */
export class TemporalUnreachable extends Error {
  constructor(config: Config, address: string | undefined, cause: unknown) {
    const at = address ?? 'the configured address';
    const where = `Temporal at ${at} (namespace ${config.temporal.namespace})`;
    const todo = config.temporal.address
      ? 'check that the cluster runs there and that TEMPORAL_API_KEY or TEMPORAL_TLS_* match it, ' +
        'or unset TEMPORAL_ADDRESS to use the embedded dev server of "poflow start"'
      : 'start the embedded stack with "poflow start" (or "npm start") in another terminal, ' +
        "or set TEMPORAL_ADDRESS to a running cluster's host:port";
    super(`cannot reach ${where}: ${todo}`, { cause });
    this.name = 'TemporalUnreachable';
  }
}

async function reach<T>(config: Config, address: string | undefined, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (err) {
    throw new TemporalUnreachable(config, address, err);
  }
}

export async function connectClient(config: Config): Promise<PoflowClient> {
  const options = connectionOptions(config);
  const connection = await reach(config, options.address, () => Connection.connect(options));
  const dataConverter = poflowDataConverter(config.codec.keys);
  return Object.assign(new Client({ connection, namespace: config.temporal.namespace, dataConverter }), {
    connection,
  });
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  // Loaded here: the worker package takes most of a second, which client-only commands skip.
  const { NativeConnection } = await import('@temporalio/worker');
  const options = connectionOptions(config);
  return reach(config, options.address, () => NativeConnection.connect(options));
}
