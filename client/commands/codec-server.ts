/** `poflow codec-server`: only the codec server, for a Web UI in front of a cluster or Temporal Cloud. */
import { startCodecServer } from '../../codec/server';
import { ConfigError, isLoopbackHost, loadConfig } from '../../worker/config';
import { untilInterrupted } from '../../worker/interrupt';
import { ensurePortsFree, listenError } from '../../worker/leftover-server';
import { poflowLogger } from '../../infra/logger';

export async function runCodecServer(options: { host: string; allowNoAuth?: boolean }): Promise<void> {
  const config = loadConfig();
  const keys = config.codec.keys;
  if (!keys) {
    throw new ConfigError(
      'POFLOW_CODEC_KEYS: required (or POFLOW_CODEC_KEY_FILE, or the codec-keys file poflow start generates)',
    );
  }
  // It decrypts for anyone who reaches it: off loopback, a token, or the operator's word that a proxy
  // authenticates.
  if (!isLoopbackHost(options.host) && !config.codec.authToken) {
    if (!options.allowNoAuth) {
      throw new ConfigError(
        `POFLOW_CODEC_AUTH_TOKEN: required with --host ${options.host}, ` +
          'since the codec server decrypts payloads for anyone who reaches it; ' +
          'set it (calls then need Authorization: Bearer <token>), listen on 127.0.0.1, ' +
          'or pass --allow-no-auth when an authenticating proxy stands in front',
      );
    }
    poflowLogger('codec-server').warn(
      { host: options.host },
      `--allow-no-auth: the codec server on ${options.host} decrypts payloads for anyone who reaches it, ` +
        'without POFLOW_CODEC_AUTH_TOKEN; only an authenticating proxy in front keeps them private',
    );
  }
  const port = { port: config.codec.port, variable: 'POFLOW_CODEC_PORT', host: options.host };
  await ensurePortsFree([port]);
  const server = await startCodecServer({ ...config.codec, keys, host: options.host }).catch(
    (err: unknown) => {
      throw listenError(err, port);
    },
  );
  const auth = config.codec.authToken ? ', bearer token required' : '';
  console.log(
    `codec server on ${server.url} for ${config.codec.corsOrigins.join(', ')}${auth}; ` +
      `keys from ${keys.source}; Ctrl-C stops it`,
  );
  await untilInterrupted();
  await server.close();
}
