/**
 * `POFLOW_LOG_LEVEL`, read apart from the logger itself: every command reads its configuration, and
 * only the ones that log load pino.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_LEVEL_VARIABLE = 'POFLOW_LOG_LEVEL';

export class LogLevelError extends Error {}

/** The level `POFLOW_LOG_LEVEL` asks for; a value that is not a level names the variable and the choices. */
export function logLevelFrom(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env[LOG_LEVEL_VARIABLE]?.trim().toLowerCase();
  if (!value) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new LogLevelError(
    `${LOG_LEVEL_VARIABLE}: "${env[LOG_LEVEL_VARIABLE]}" is not a level; use one of ${LOG_LEVELS.join(', ')}`,
  );
}
