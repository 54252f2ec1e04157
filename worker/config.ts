/**
 * Configuration from the environment. Unset means the embedded default: a dev server on
 * 127.0.0.1:7233 (Web UI 8233), the sandbox on 127.0.0.1:8400 and the webhook receiver on
 * 127.0.0.1:8300, all started by `poflow start`. API key and TLS for a real cluster follow the
 * SDK's environment configuration (`TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE` and
 * the TOML profile file), read in `worker/connection.ts`.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from './temporal-binaries';

export const TASK_QUEUE = 'poflow';
export const FLXPOINT_TASK_QUEUE = 'poflow-flxpoint';
export const SANDBOX_TOKEN = 'sandbox';
export const DATA_DIR = process.env.POFLOW_DATA_DIR ?? path.join(PROJECT_ROOT, '.data');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const Env = z.object({
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: optionalText,
  FLEXPORT_BASE_URL: optionalText.pipe(z.url().optional()),
  FLEXPORT_API_TOKEN: optionalText,
  FLXPOINT_BASE_URL: optionalText.pipe(z.url().optional()),
  FLXPOINT_API_TOKEN: optionalText,
  WEBHOOK_SECRET: optionalText,
  SANDBOX_PORT: port(8400),
  WEBHOOK_PORT: port(8300),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
});

export interface Config {
  temporal: {
    /** undefined: start the embedded dev server. */
    address?: string;
    namespace: string;
    devServerPort: number;
    uiPort: number;
    uiUrl: string;
  };
  flexport: { baseUrl: string; apiToken: string; embedded: boolean };
  flxpoint: { baseUrl: string; apiToken: string; embedded: boolean };
  sandbox: { port: number };
  webhooks: { port: number; secret: string; secretGenerated: boolean };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const sandboxUrl = `http://127.0.0.1:${e.SANDBOX_PORT}`;
  const address = e.TEMPORAL_ADDRESS;
  return {
    temporal: {
      address,
      namespace: e.TEMPORAL_NAMESPACE,
      devServerPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl:
        e.TEMPORAL_UI_URL ??
        (address ? 'https://cloud.temporal.io' : `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`),
    },
    flexport: {
      baseUrl: e.FLEXPORT_BASE_URL ?? sandboxUrl,
      apiToken: e.FLEXPORT_API_TOKEN ?? SANDBOX_TOKEN,
      embedded: !e.FLEXPORT_BASE_URL,
    },
    flxpoint: {
      baseUrl: e.FLXPOINT_BASE_URL ?? `${sandboxUrl}/flxpoint`,
      apiToken: e.FLXPOINT_API_TOKEN ?? SANDBOX_TOKEN,
      embedded: !e.FLXPOINT_BASE_URL,
    },
    sandbox: { port: e.SANDBOX_PORT },
    webhooks: {
      port: e.WEBHOOK_PORT,
      secret: e.WEBHOOK_SECRET ?? randomBytes(32).toString('hex'),
      secretGenerated: !e.WEBHOOK_SECRET,
    },
  };
}

/** The address to connect to: the configured one, or the embedded dev server's. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}
