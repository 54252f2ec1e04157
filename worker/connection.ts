/**
 * Connections to Temporal for the worker and the client, in the SDK's own environment
 * configuration conventions: a TOML profile and `TEMPORAL_*` variables (address, namespace,
 * API key, TLS), so the same settings work for a self-hosted cluster and Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
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

export async function connectClient(config: Config): Promise<PoflowClient> {
  const connection = await Connection.connect(connectionOptions(config));
  return Object.assign(new Client({ connection, namespace: config.temporal.namespace }), { connection });
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  // Loaded here: the worker package takes most of a second, which client-only commands skip.
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(connectionOptions(config));
}
