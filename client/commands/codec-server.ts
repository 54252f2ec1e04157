/** `poflow codec-server`: only the codec server, for a Web UI in front of a cluster or Temporal Cloud. */
import { startCodecServer } from '../../codec/server';
import { ConfigError, loadConfig } from '../../worker/config';
import { untilInterrupted } from '../../worker/interrupt';

export async function runCodecServer(options: { host: string }): Promise<void> {
  const config = loadConfig();
  const keys = config.codec.keys;
  if (!keys) {
    throw new ConfigError('POFLOW_CODEC_KEYS: required (or POFLOW_CODEC_KEY_FILE, or the codec-keys file poflow start generates)'); // prettier-ignore
  }
  const server = await startCodecServer({ ...config.codec, keys, host: options.host });
  const auth = config.codec.authToken ? ', bearer token required' : '';
  console.log(`codec server on ${server.url} for ${config.codec.corsOrigins.join(', ')}${auth}; keys from ${keys.source}; Ctrl-C stops it`); // prettier-ignore
  await untilInterrupted();
  await server.close();
}
