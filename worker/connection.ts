/**
 * Connections to Temporal for the worker and the client, in the SDK's own environment
 * configuration conventions: a TOML profile and `TEMPORAL_*` variables (address, namespace,
 * API key, TLS), so the same settings work for a self-hosted cluster and Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { poflowDataConverter } from '../codec/aes-gcm';
import { isLoopbackHost, temporalAddress, type Config } from './config';

/**
 * How long a client waits for Temporal to answer before saying it cannot be reached (the SDK's
 * default is 10 s): on this machine a server answers at once or not at all; a cluster elsewhere
 * gets time for DNS and the TLS handshake.
 */
const LOOPBACK_CONNECT_TIMEOUT = '1200ms';
const REMOTE_CONNECT_TIMEOUT = '5s';

function connectionOptions(config: Config) {
  const { connectionOptions } = loadClientConnectConfig();
  // The embedded dev server is plain gRPC on loopback whatever a profile says. A configured address
  // is TEMPORAL_ADDRESS or, when that is unset, the cluster a running `poflow start` recorded.
  return config.temporal.address
    ? { ...connectionOptions, address: config.temporal.address }
    : { ...connectionOptions, address: temporalAddress(config), tls: undefined, apiKey: undefined };
}

function connectTimeout(address: string | undefined) {
  const host = address?.replace(/:\d+$/, '');
  return host && isLoopbackHost(host) ? LOOPBACK_CONNECT_TIMEOUT : REMOTE_CONNECT_TIMEOUT;
}

/** A client whose `connection` is the full `Connection`, operator service included. */
export type PoflowClient = Client & { connection: Connection };

/** No Temporal server answered: says where poflow looked and how to get one there. */
export class TemporalUnreachable extends Error {
  constructor(config: Config, address: string | undefined, cause: unknown) {
    const at = address ?? 'the configured address';
    const where = `Temporal at ${at} (namespace ${config.temporal.namespace})`;
    const todo = config.temporal.address
      ? `check that the cluster runs there (from ${config.temporal.source}) and that TEMPORAL_API_KEY or ` +
        'TEMPORAL_TLS_* match it, or unset TEMPORAL_ADDRESS to use the embedded dev server of "poflow start"'
      : 'start the embedded stack with "poflow start" (or "npm start") in another terminal, ' +
        "or set TEMPORAL_ADDRESS to a running cluster's host:port (TEMPORAL_PORT: the dev server's port " +
        `on 127.0.0.1); the address came from ${config.temporal.source}`;
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
  const connection = await reach(config, options.address, () =>
    Connection.connect({ ...options, connectTimeout: connectTimeout(options.address) }),
  );
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
