/**
 * The operations port (`/metrics`, `/healthz`, `/readyz`) of each long-running command: one
 * variable, `POFLOW_METRICS_PORT`, with a default per command so the split processes share a host
 * without colliding. An explicit `POFLOW_METRICS_PORT` always wins. `poflow codec-server` serves
 * no operations endpoints (9468 stays reserved for it in the design brief).
 */
export const DEFAULT_METRICS_PORTS = { start: 9464, worker: 9465, webhooks: 9466, api: 9467 } as const;

/** The commands that serve operations endpoints. */
export type OperationsCommand = keyof typeof DEFAULT_METRICS_PORTS;

/**
 * The operations port of `command`: `configured` (the parsed `POFLOW_METRICS_PORT`) when the
 * variable is set in `env`, else the command's own default.
 */
export function metricsPortOf(
  command: OperationsCommand,
  env: NodeJS.ProcessEnv,
  configured: number,
): number {
  return env.POFLOW_METRICS_PORT?.trim() ? configured : DEFAULT_METRICS_PORTS[command];
}
