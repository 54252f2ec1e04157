/**
 * poflow's one structured log: every process (`start`, `worker`, `webhooks`, `sandbox`,
 * `codec-server`) writes JSON lines through one pino logger, each part a child with its
 * `component`, at the level `POFLOW_LOG_LEVEL` sets [info]. The Temporal SDK's runtime logger
 * (worker lifecycle, workflow `log` calls, the Rust core's own lines) is routed into it. Secrets,
 * tokens and signatures are never logged on purpose; redaction is a backstop.
 */
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import { logLevelFrom, type LogLevel } from './log-level';

const REDACTED_PATHS = [
  'secret',
  'secrets',
  '*.secret',
  '*.secrets',
  'apiToken',
  '*.apiToken',
  'authToken',
  '*.authToken',
  'headers.authorization',
  'headers["x-api-token"]',
  'headers["x-hub-signature-256"]',
  'headers["x-hub-signature"]',
  'headers["poflow-signature"]',
];

let processLogger: Logger | undefined;

/**
 * The process's logger (made on first use) or, with a destination, a logger of its own (tests).
 * `component` names the part that logs: `worker`, `webhooks`, `sandbox`, `temporal-sdk`, ...
 */
export function poflowLogger(component: string, destination?: DestinationStream): Logger {
  if (destination) return makeLogger(destination).child({ component });
  processLogger ??= makeLogger(pino.destination(1));
  return processLogger.child({ component });
}

function makeLogger(destination: DestinationStream): Logger {
  return pino(
    {
      // `service`, not pino's `name`: log calls carry a PO's `name` of their own.
      base: { service: 'poflow', pid: process.pid, hostname: hostname() },
      level: logLevelFrom(),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

const SDK_LEVELS: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's logger interface over a pino logger: `Runtime.install({ logger })`. */
export function sdkLoggerOf(logger: Logger): SdkLogger {
  const log = (level: SdkLogLevel, message: string, meta?: LogMetadata) =>
    logger[SDK_LEVELS[level]](meta ?? {}, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/** The SDK level that matches a pino level, for the Rust core's filter (it has no fatal or silent). */
export function sdkLevelOf(level: LogLevel): SdkLogLevel {
  if (level === 'fatal' || level === 'silent') return 'ERROR';
  return level.toUpperCase() as SdkLogLevel;
}
