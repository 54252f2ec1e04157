/**
 * poflow's one logger (infra/logger.ts): its level from POFLOW_LOG_LEVEL, refused with the variable
 * named when it is not a level, secrets redacted, and the Temporal SDK's log calls mapped onto it.
 * The whole stack logging through it is shown end to end in test/operations.test.ts.
 */
import { loadConfig, ConfigError } from '../worker/config';
import { poflowLogger, sdkLoggerOf } from '../infra/logger';
import { runCli } from './support/stack';

type Line = Record<string, unknown> & { level: number; msg: string; component: string; service: string };

function capture(env: Record<string, string | undefined> = {}): Line[] {
  const saved = process.env.POFLOW_LOG_LEVEL;
  process.env.POFLOW_LOG_LEVEL = env.POFLOW_LOG_LEVEL;
  if (env.POFLOW_LOG_LEVEL === undefined) delete process.env.POFLOW_LOG_LEVEL;
  try {
    const lines: Line[] = [];
    const logger = poflowLogger('worker', { write: (line: string) => void lines.push(JSON.parse(line)) });
    logger.debug('a debug line');
    logger.info({ secret: 's3cret', headers: { authorization: 'Bearer t0ken', 'x-api-token': 'fl3x' } }, 'an info line'); // prettier-ignore
    logger.warn({ webhook: { secrets: ['w1', 'w2'] } }, 'a warning');
    return lines;
  } finally {
    if (saved === undefined) delete process.env.POFLOW_LOG_LEVEL;
    else process.env.POFLOW_LOG_LEVEL = saved;
  }
}

test('info by default, the level POFLOW_LOG_LEVEL names otherwise', () => {
  expect(capture().map((line) => line.msg)).toEqual(['an info line', 'a warning']);
  expect(capture({ POFLOW_LOG_LEVEL: 'debug' }).map((line) => line.msg)).toEqual([
    'a debug line',
    'an info line',
    'a warning',
  ]);
  expect(capture({ POFLOW_LOG_LEVEL: 'WARN' }).map((line) => line.msg)).toEqual(['a warning']);
  expect(capture({ POFLOW_LOG_LEVEL: 'silent' })).toEqual([]);
});

test('every line names the service and the component; secrets, tokens and signatures are redacted', () => {
  const [info, warning] = capture();
  expect(info).toMatchObject({
    service: 'poflow',
    component: 'worker',
    secret: '[redacted]',
    headers: { authorization: '[redacted]', 'x-api-token': '[redacted]' },
  });
  expect(warning).toMatchObject({ webhook: { secrets: '[redacted]' } });
  expect(JSON.stringify(capture())).not.toMatch(/s3cret|t0ken|fl3x|"w1"/);
});

test("the SDK's levels and metadata land on the same logger; a PO's own `name` does not hide the service", () => {
  const lines: Line[] = [];
  const sdk = sdkLoggerOf(poflowLogger('temporal-sdk', { write: (line: string) => void lines.push(JSON.parse(line)) })); // prettier-ignore
  sdk.trace('not shown at info');
  sdk.info('Worker state changed', { state: 'RUNNING' });
  sdk.log('WARN', 'purchase order submitted', { name: 'PO-1001', workflowId: 'po/flexport/PO-1001' });
  sdk.error('activity failed', { activityType: 'submitPurchaseOrder' });
  expect(lines.map(({ level, msg, component, service }) => ({ level, msg, component, service }))).toEqual([
    { level: 30, msg: 'Worker state changed', component: 'temporal-sdk', service: 'poflow' },
    { level: 40, msg: 'purchase order submitted', component: 'temporal-sdk', service: 'poflow' },
    { level: 50, msg: 'activity failed', component: 'temporal-sdk', service: 'poflow' },
  ]);
  expect(lines[0]).toMatchObject({ state: 'RUNNING' });
  expect(lines[1]).toMatchObject({ name: 'PO-1001' });
});

test('a POFLOW_LOG_LEVEL that is not a level is a configuration error naming the variable', async () => {
  expect(() => loadConfig({ POFLOW_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  expect(() => loadConfig({ POFLOW_LOG_LEVEL: 'loud' })).toThrow(
    'POFLOW_LOG_LEVEL: "loud" is not a level; use one of fatal, error, warn, info, debug, trace, silent',
  );
  // At the command line: exit 2 before anything starts.
  const result = await runCli({ cliEnv: { ...process.env, POFLOW_LOG_LEVEL: 'loud' } }, ['worker'], 30_000);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('POFLOW_LOG_LEVEL: "loud" is not a level');
});
