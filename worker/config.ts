/**
 * Configuration from the environment. Unset means the embedded default: a dev server on
 * 127.0.0.1:7233 (Web UI 8233), the sandbox on 127.0.0.1:8400 and the webhook receiver on
 * 127.0.0.1:8300, all started by `poflow start`. API key and TLS for a real cluster follow the
 * SDK's environment configuration (`TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE` and
 * the TOML profile file), read in `worker/connection.ts`.
 */
import { listEntries } from '../infra/list-entries';
import type { Duration } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CodecKeyError, loadCodecKeys, type CodecKeys } from '../codec/keys';
import { logLevelFrom, LogLevelError, type LogLevel } from '../infra/log-level';
import type { NotifyEndpoint } from '../activities/notifications';
import { loadNotifyConfig, NotifyConfigError } from './notify-config';
import { DEFAULT_METRICS_PORTS, metricsPortOf } from './metrics-port';
import { PROJECT_ROOT } from './temporal-binaries';
import { hostOf, PROVIDER_HOSTS, type ProviderConnection } from '../providers';
import { PROVIDERS, type Provider } from '../workflows/core/choices';
import { capabilityRefusal } from '../workflows/core/provider';
import { PROVIDER_WORKFLOWS } from '../workflows/providers';
import { portOf, readLiveStack, stackFilePath, type StackFile } from './stack-file';

export const SANDBOX_TOKEN = 'sandbox';
export const DATA_DIR = process.env.POFLOW_DATA_DIR ?? path.join(PROJECT_ROOT, '.data');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export class ConfigError extends Error {}

/**
 * The PO worker's sizing, set on purpose for a book of many POs that sit idle for days: the cache
 * holds the active set, not the whole book, so RSS stays bounded however many POs are open (an
 * evicted PO replays its short history when its next event comes). Each option is read from
 * `POFLOW_WORKER_<OPTION>` (the SDK's option name in upper snake case); the cache from
 * `POFLOW_MAX_CACHED_WORKFLOWS`.
 */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  stickyQueueScheduleToStartTimeout: Duration;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentWorkflowTaskPolls: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentActivityTaskPolls: number;
  workflowThreadPoolSize: number;
  isolateExecutionTimeout: Duration;
}

const count = (min: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .optional()
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().min(min, `must be at least ${min}`));
const duration = (fallback: Duration) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'expected a duration such as 500ms, 10s, 5m or 1h')
    .optional()
    .transform((v) => (v ?? fallback) as Duration);

/** Each option's default and the values it takes. */
const TUNING: { [K in keyof WorkerTuning]: z.ZodType<WorkerTuning[K], string | undefined> } = {
  // A cached PO costs about 360 KiB of RSS (100 KiB of workflow heap, the rest native), one
  // outside the cache about 30 KiB (bench/memory.ts): 250 holds the POs that move at once (an
  // import's 32 in flight and the webhooks they cause) and keeps 10,000 open POs under 1 GiB.
  maxCachedWorkflows: count(0, 250),
  stickyQueueScheduleToStartTimeout: duration('10s'),
  // The SDK's floor: two slots, so a sticky and a normal task can both run.
  maxConcurrentWorkflowTaskExecutions: count(2, 40),
  maxConcurrentWorkflowTaskPolls: count(2, 10),
  maxConcurrentActivityTaskExecutions: count(1, 100),
  maxConcurrentActivityTaskPolls: count(1, 10),
  workflowThreadPoolSize: count(1, 1),
  // Read by Worker.create though not in its typed options. The SDK's 5 s limit on one activation
  // fires inside the workflow's promise jobs, where Node cannot recover (nodejs/node#38503): the
  // whole worker dies with "async hook stack has become corrupted". Past the workflow task timeout
  // (10 s), an activation slowed by a starved CPU only times its task out, which Temporal retries;
  // 30 s still killed the worker under a flood at load 18-32 (bench/flood.ts), 10 minutes did not.
  isolateExecutionTimeout: duration('10m'),
};

export function workerTuningVariable(option: keyof WorkerTuning): string {
  if (option === 'maxCachedWorkflows') return 'POFLOW_MAX_CACHED_WORKFLOWS';
  return `POFLOW_WORKER_${option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function loadWorkerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const entries = Object.entries(TUNING).map(([option, schema]) => {
    const variable = workerTuningVariable(option as keyof WorkerTuning);
    const parsed = schema.safeParse(env[variable]);
    if (!parsed.success) throw new ConfigError(`${variable}: ${parsed.error.issues[0]!.message}`);
    return [option, parsed.data];
  });
  const tuning = Object.fromEntries(entries) as WorkerTuning;
  // The SDK refuses more pollers than slots; say which variables to change.
  if (tuning.maxConcurrentWorkflowTaskPolls > tuning.maxConcurrentWorkflowTaskExecutions) {
    const polls = workerTuningVariable('maxConcurrentWorkflowTaskPolls');
    const executions = workerTuningVariable('maxConcurrentWorkflowTaskExecutions');
    throw new ConfigError(
      `${polls}: must not exceed ${executions} (${tuning.maxConcurrentWorkflowTaskExecutions})`,
    );
  }
  return tuning;
}

export const WORKER_TUNING = loadWorkerTuning({});

export const UNKNOWN_PO_RULES = ['adopt', 'drop'] as const;
export type UnknownPoRule = (typeof UNKNOWN_PO_RULES)[number];

const Env = z.object({
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: optionalText,
  WEBHOOK_SECRET: optionalText,
  SANDBOX_PORT: port(8400),
  WEBHOOK_PORT: port(8300),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  POFLOW_CODEC_PORT: port(8888),
  POFLOW_CODEC_AUTH_TOKEN: optionalText,
  POFLOW_CODEC_CORS_ORIGINS: optionalText,
  POFLOW_METRICS_PORT: port(DEFAULT_METRICS_PORTS.start),
  POFLOW_METRICS_HOST: optionalText.transform((host) => host ?? '127.0.0.1'),
  POFLOW_PO_COUNT_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  POFLOW_UNKNOWN_PO_EVENTS: z
    .enum(UNKNOWN_PO_RULES, { error: `expected one of ${UNKNOWN_PO_RULES.join(', ')}` })
    .default('adopt'),
  POFLOW_API_PORT: port(8600),
  POFLOW_API_HOST: optionalText.transform((host) => host ?? '127.0.0.1'),
  POFLOW_API_TOKENS: optionalText,
  POFLOW_API_RATE_LIMIT: optionalText
    .pipe(z.string().regex(/^\d+$/, 'expected a whole number of requests per second').optional())
    .transform((v) => (v === undefined ? DEFAULT_API_RATE_LIMIT : Number(v)))
    .pipe(z.number().min(1, 'must be at least 1 request per second')),
  POFLOW_API_CORS_ORIGINS: optionalText,
});

/**
 * Each provider's `<PREFIX>_BASE_URL` and `<PREFIX>_API_TOKEN`, and the switch of its own worker if it
 * has one.
 */
const ProviderEnv = z.object(
  Object.fromEntries(
    PROVIDERS.flatMap((provider) => {
      const host = PROVIDER_HOSTS[provider];
      const settings: [string, z.ZodType][] = [
        [`${host.envPrefix}_BASE_URL`, optionalText.pipe(z.url().optional())],
        [`${host.envPrefix}_API_TOKEN`, optionalText],
      ];
      const queue = hostOf(provider).activityQueue;
      if (queue)
        settings.push([
          queue.workerSwitch,
          z.enum(['on', 'off'], { error: 'expected on or off' }).default('on'),
        ]);
      return settings;
    }),
  ),
);

/**
 * `embedded`: no `<PREFIX>_BASE_URL`, the sandbox's address. `apiTokenSet`: `<PREFIX>_API_TOKEN`
 * was given (else `apiToken` is the sandbox's `sandbox`); see `requireProviderSettings`.
 * `worker`: whether this process runs the worker of the provider's own activity queue (always
 * true for one without); a rate limit holds per token only where one process sends (docs/flxpoint.md).
 */
export type ProviderSettings = ProviderConnection & { worker: boolean };

export type Config = { [P in Provider]: ProviderSettings } & ConfigOfProcess;

interface ConfigOfProcess {
  temporal: {
    /** undefined: start the embedded dev server. */
    address?: string;
    namespace: string;
    devServerPort: number;
    uiPort: number;
    /**
     * The Web UI links point into; undefined when unknown (a self-hosted cluster without
     * TEMPORAL_UI_URL).
     */
    uiUrl?: string;
    /**
     * Where the address came from, for the unreachable error: a variable, the stack file of a
     * running `poflow start`, or the default.
     */
    source: string;
  };
  sandbox: { port: number };
  /**
   * `unknownPoEvents`: what the receiver and the reconciler do with an event about a PO poflow
   * does not follow: adopt it (read it from the provider and start its workflow), or drop it.
   */
  webhooks: { port: number; secret: string; secretGenerated: boolean; unknownPoEvents: UnknownPoRule };
  worker: WorkerTuning;
  codec: {
    /** undefined: payloads are written in clear (no keys configured, none generated). */
    keys?: CodecKeys;
    port: number;
    /** A bearer token the codec server requires, when set. */
    authToken?: string;
    /** Web UI origins the codec server answers (CORS); the embedded UI's by default. */
    corsOrigins: string[];
  };
  /**
   * `/metrics`, `/healthz`, `/readyz` of a long-running process, on `metricsHost` (loopback unless
   * `POFLOW_METRICS_HOST` says otherwise: they answer without authentication); the PO gauges'
   * refresh interval.
   */
  operations: { metricsPort: number; metricsHost: string; poCountIntervalMs: number };
  /** `POFLOW_LOG_LEVEL`: every process's one log (infra/logger.ts). */
  logLevel: LogLevel;
  /** ERP endpoints for the PO notifications, and the chat webhook for alerts (none: log line only). */
  notifications: { endpoints: NotifyEndpoint[]; alertWebhookUrl?: string };
  api: ApiSettings;
}

/** The ERP's HTTP API (`poflow api`, and inside `poflow start`). */
export interface ApiSettings {
  port: number;
  /** 127.0.0.1 unless `POFLOW_API_HOST` says otherwise: TLS is terminated by a proxy in front. */
  host: string;
  /** Who may call it: `POFLOW_API_TOKENS`, else `.data/api-tokens`; none: `poflow api` refuses to start. */
  tokens: ApiToken[];
  /** Where the tokens came from, for messages: never the tokens themselves. */
  tokensSource?: string;
  /** Requests per second per token (`POFLOW_API_RATE_LIMIT`). */
  rateLimit: number;
  /** Browser origins answered with CORS headers (`POFLOW_API_CORS_ORIGINS`); none: CORS off. */
  corsOrigins: string[];
  /** `/metrics`, `/healthz`, `/readyz` of `poflow api`: `POFLOW_METRICS_PORT`, else 9467. */
  metricsPort: number;
}

/** A caller of the API: its name (logged, never the token) and whether it may write. */
export interface ApiToken {
  name: string;
  token: string;
  access: 'read' | 'write';
}

export const DEFAULT_API_RATE_LIMIT = 50;
const API_TOKEN_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const API_TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;

/** The token file `poflow start` generates when `POFLOW_API_TOKENS` is unset. */
export function apiTokenFile(dataDir = DATA_DIR): string {
  return path.join(dataDir, 'api-tokens');
}

/**
 * `name:token[:read],...` (commas or new lines; `#` starts a comment line). Refused with the
 * source and the entry's number (and name), never the token.
 */
export function parseApiTokens(text: string, source: string): ApiToken[] {
  const entries = listEntries(text);
  if (entries.length === 0) throw new ConfigError(`${source}: no tokens (expected name:token[:read],...)`);
  const tokens: ApiToken[] = [];
  for (const [index, entry] of entries.entries()) {
    const at = `${source}: entry ${index + 1}`;
    const [name = '', token = '', access, ...rest] = entry.split(':');
    if (token === '' || rest.length > 0 || (access !== undefined && access !== 'read')) {
      throw new ConfigError(`${at}: expected name:token or name:token:read`);
    }
    if (!API_TOKEN_NAME.test(name))
      throw new ConfigError(`${at}: the name must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (!API_TOKEN.test(token)) {
      throw new ConfigError(
        `${at} (${name}): the token must be 16-256 characters of A-Z a-z 0-9 . _ ~ + / = - ` +
          '(generate one with: openssl rand -base64 32)',
      );
    }
    const same = tokens.findIndex((t) => t.name === name || t.token === token);
    if (same >= 0) {
      const what = tokens[same]!.name === name ? `the name ${name}` : 'the token';
      throw new ConfigError(`${at} (${name}): ${what} of entry ${same + 1} again`);
    }
    tokens.push({ name, token, access: access === 'read' ? 'read' : 'write' });
  }
  return tokens;
}

function apiSettings(env: NodeJS.ProcessEnv, e: z.output<typeof Env>): ApiSettings {
  let tokens: ApiToken[] = [];
  let tokensSource: string | undefined;
  const file = apiTokenFile();
  if (e.POFLOW_API_TOKENS !== undefined) {
    tokensSource = 'POFLOW_API_TOKENS';
    tokens = parseApiTokens(e.POFLOW_API_TOKENS, tokensSource);
  } else if (existsSync(file)) {
    tokensSource = file;
    tokens = parseApiTokens(readFileSync(file, 'utf8'), file);
  }
  return {
    port: e.POFLOW_API_PORT,
    host: e.POFLOW_API_HOST,
    tokens,
    tokensSource,
    rateLimit: e.POFLOW_API_RATE_LIMIT,
    corsOrigins:
      e.POFLOW_API_CORS_ORIGINS?.split(',')
        .map((o) => o.trim())
        .filter(Boolean) ?? [],
    metricsPort: metricsPortOf('api', env, e.POFLOW_METRICS_PORT),
  };
}

export interface LoadConfigOptions {
  /**
   * Fill what the environment leaves unset from the stack file of a running `poflow start` (never
   * when `TEMPORAL_ADDRESS` is set); by default only for the process's own environment.
   */
  stackFile?: boolean;
}

export function loadConfig(
  givenEnv: NodeJS.ProcessEnv = process.env,
  { stackFile = givenEnv === process.env }: LoadConfigOptions = {},
): Config {
  const stack = stackFile && unset(givenEnv.TEMPORAL_ADDRESS) ? readLiveStack(DATA_DIR) : undefined;
  const env = stack ? withStack(givenEnv, stack) : givenEnv;
  const parsed = Env.safeParse(env);
  const providerEnv = ProviderEnv.safeParse(env);
  const issue = parsed.error?.issues[0] ?? providerEnv.error?.issues[0];
  if (!parsed.success || !providerEnv.success || issue) {
    throw new ConfigError(`${issue!.path.join('.')}: ${issue!.message}`);
  }
  const e = parsed.data;
  const p = providerEnv.data as Record<string, string | undefined>;
  const worker = loadWorkerTuning(env);
  const sandboxUrl = `http://127.0.0.1:${e.SANDBOX_PORT}`;
  const address = e.TEMPORAL_ADDRESS;
  const embeddedUi = `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`;
  const providerSettings = (provider: Provider): ProviderSettings => {
    const host = hostOf(provider);
    const baseUrl = p[`${host.envPrefix}_BASE_URL`];
    const apiToken = p[`${host.envPrefix}_API_TOKEN`];
    return {
      baseUrl: baseUrl ?? `${sandboxUrl}${host.sandboxPath}`,
      apiToken: apiToken ?? SANDBOX_TOKEN,
      embedded: !baseUrl,
      apiTokenSet: apiToken !== undefined,
      worker: host.activityQueue === undefined || p[host.activityQueue.workerSwitch] === 'on',
    };
  };
  return {
    ...(Object.fromEntries(PROVIDERS.map((provider) => [provider, providerSettings(provider)])) as {
      [P in Provider]: ProviderSettings;
    }),
    temporal: {
      address,
      namespace: e.TEMPORAL_NAMESPACE,
      devServerPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: e.TEMPORAL_UI_URL ?? (address ? cloudUiUrl(address) : embeddedUi),
      source: addressSource(givenEnv, env, stack),
    },
    sandbox: { port: e.SANDBOX_PORT },
    webhooks: {
      port: e.WEBHOOK_PORT,
      secret: e.WEBHOOK_SECRET ?? randomBytes(32).toString('hex'),
      secretGenerated: !e.WEBHOOK_SECRET,
      unknownPoEvents: e.POFLOW_UNKNOWN_PO_EVENTS,
    },
    worker,
    codec: {
      keys: codecKeys(env),
      port: e.POFLOW_CODEC_PORT,
      authToken: e.POFLOW_CODEC_AUTH_TOKEN,
      corsOrigins: e.POFLOW_CODEC_CORS_ORIGINS?.split(',')
        .map((o) => o.trim())
        .filter(Boolean) ?? [embeddedUi, `http://localhost:${e.TEMPORAL_UI_PORT}`],
    },
    operations: {
      metricsPort: e.POFLOW_METRICS_PORT,
      metricsHost: e.POFLOW_METRICS_HOST,
      poCountIntervalMs: e.POFLOW_PO_COUNT_INTERVAL_SECONDS * 1000,
    },
    logLevel: configured(() => logLevelFrom(env)),
    notifications: configured(() => loadNotifyConfig(env)),
    api: apiSettings(env, e),
  };
}

function unset(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/**
 * The environment with what a running `poflow start` recorded where a variable is unset: its
 * Temporal (the dev server's port, or the cluster's address), Web UI, sandbox, codec server and API.
 * An explicit variable always wins.
 */
function withStack(env: NodeJS.ProcessEnv, stack: StackFile): NodeJS.ProcessEnv {
  const recorded: Record<string, string | number | undefined> = {
    SANDBOX_PORT: stack.sandbox?.port,
    POFLOW_CODEC_PORT: stack.codec?.port,
    POFLOW_API_PORT: stack.api?.port,
  };
  if (stack.temporal.embedded) {
    recorded.TEMPORAL_PORT = portOf(stack.temporal.address);
    recorded.TEMPORAL_UI_PORT = stack.temporal.uiUrl && portOf(stack.temporal.uiUrl);
  } else {
    recorded.TEMPORAL_ADDRESS = stack.temporal.address;
    recorded.TEMPORAL_UI_URL = stack.temporal.uiUrl;
  }
  const filled = { ...env };
  for (const [variable, value] of Object.entries(recorded)) {
    if (value !== undefined && unset(env[variable])) filled[variable] = String(value);
  }
  return filled;
}

function addressSource(given: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv, stack?: StackFile): string {
  if (!unset(given.TEMPORAL_ADDRESS)) return 'TEMPORAL_ADDRESS';
  if (!unset(given.TEMPORAL_PORT)) return `TEMPORAL_PORT=${given.TEMPORAL_PORT}`;
  const file = stackFilePath(DATA_DIR);
  if (stack && (!unset(env.TEMPORAL_ADDRESS) || !unset(env.TEMPORAL_PORT))) {
    return `${file}, written by the "poflow start" of pid ${stack.pid}`;
  }
  return `the default (TEMPORAL_ADDRESS and TEMPORAL_PORT unset, no running "poflow start" in ${file})`;
}

/**
 * What a process does with the providers, for `requireProviderSettings`: which it calls (the PO
 * worker, adoption, the reconciler) and whether it receives the deliveries of those that push.
 */
export type ProviderUse = { [P in Provider]?: boolean } & { webhooks?: boolean };

/**
 * The sandbox's defaults where a provider other than the embedded sandbox is configured are a
 * misconfiguration that looks like it works: the process starts, then every call is refused for
 * the token `sandbox` and every delivery for a secret generated at start (401). So a process that
 * calls a provider at a configured `*_BASE_URL` needs that provider's token, and one that receives
 * Flexport's deliveries from there needs `WEBHOOK_SECRET`. An explicit `FLEXPORT_API_TOKEN=sandbox`
 * (a standalone `poflow sandbox`) is a token like any other.
 */
/** The providers a worker process calls: each one whose worker it runs. */
export function providersCalled(config: Config): ProviderUse {
  return Object.fromEntries(PROVIDERS.map((provider) => [provider, config[provider].worker]));
}

export function requireProviderSettings(config: Config, use: ProviderUse): void {
  const at = (baseUrl: string) => new URL(baseUrl).origin;
  for (const provider of PROVIDERS) {
    const { envPrefix } = hostOf(provider);
    const settings = config[provider];
    if (use[provider] && !settings.embedded && !settings.apiTokenSet) {
      throw new ConfigError(
        `${envPrefix}_API_TOKEN: required with ${envPrefix}_BASE_URL (${at(settings.baseUrl)}): ` +
          `the default token "${SANDBOX_TOKEN}" is only for poflow's embedded sandbox ` +
          `(set ${envPrefix}_API_TOKEN=${SANDBOX_TOKEN} for a standalone poflow sandbox)`,
      );
    }
    const pushes = capabilityRefusal(PROVIDER_WORKFLOWS[provider].capabilities.webhooks) === undefined;
    if (use.webhooks && pushes && !settings.embedded && config.webhooks.secretGenerated) {
      throw new ConfigError(
        `WEBHOOK_SECRET: required with ${envPrefix}_BASE_URL (${at(settings.baseUrl)}): the provider signs ` +
          'its deliveries with the secret configured on its side, and a secret generated at start would ' +
          'refuse every one (401)',
      );
    }
  }
}

/** `localhost`, `127.x.x.x` or `::1`: an interface only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function codecKeys(env: NodeJS.ProcessEnv): CodecKeys | undefined {
  return configured(() => loadCodecKeys(env, DATA_DIR));
}

/** A setting read by its own module, whose refusal is a configuration error like any other (exit 2). */
function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CodecKeyError || err instanceof LogLevelError || err instanceof NotifyConfigError) {
      throw new ConfigError(err.message);
    }
    throw err;
  }
}

/**
 * Temporal Cloud's Web UI, for a Temporal Cloud address (`<ns>.<account>.tmprl.cloud:7233`,
 * `<region>.<cloud>.api.temporal.io:7233`). Any other address is a self-hosted cluster whose Web UI
 * poflow cannot guess: no link unless TEMPORAL_UI_URL says where it is.
 */
export function cloudUiUrl(address: string): string | undefined {
  const host = address.replace(/:\d+$/, '').toLowerCase();
  return /\.(tmprl\.cloud|api\.temporal\.io)$/.test(host) ? 'https://cloud.temporal.io' : undefined;
}

/** The address to connect to: the configured one, or the embedded dev server's. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}
