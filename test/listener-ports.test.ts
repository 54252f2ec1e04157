/**
 * The ports poflow's processes listen on, as an operator running several of them on one host meets
 * them: each split process has its own default operations port, an explicit `POFLOW_METRICS_PORT`
 * always wins.
 */
import { loadConfig } from '../worker/config';
import { DEFAULT_METRICS_PORTS, metricsPortOf } from '../worker/metrics-port';

test('each command serving operations endpoints has its own default POFLOW_METRICS_PORT; a set one wins', () => {
  expect(DEFAULT_METRICS_PORTS).toEqual({ start: 9464, worker: 9465, webhooks: 9466, api: 9467 });
  const config = loadConfig({});
  expect(config.operations.metricsPort).toBe(9464);
  expect(config.api.metricsPort).toBe(9467);
  for (const [command, port] of Object.entries(DEFAULT_METRICS_PORTS)) {
    const name = command as keyof typeof DEFAULT_METRICS_PORTS;
    expect(metricsPortOf(name, {}, config.operations.metricsPort)).toBe(port);
    expect(metricsPortOf(name, { POFLOW_METRICS_PORT: ' ' }, config.operations.metricsPort)).toBe(port);
    const explicit = loadConfig({ POFLOW_METRICS_PORT: '9999' });
    expect(metricsPortOf(name, { POFLOW_METRICS_PORT: '9999' }, explicit.operations.metricsPort)).toBe(9999);
  }
  expect(loadConfig({ POFLOW_METRICS_PORT: '9999' }).api.metricsPort).toBe(9999);
});
