/**
 * Operator commands under faults, as real `poflow` subprocesses against the whole stack: a request
 * whose effect waits on a provider answering 503s says it is accepted and still in progress instead
 * of hanging; repeating it once it took effect exits 0; a server error shows its cause.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { msToTs } from '@temporalio/common/lib/time';
import { jsonOf, runCli, stackPerFile } from './support/stack';

const suite = stackPerFile();
const { poflow, statusUntil } = suite;
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-cli-faults-'));

function examplePo(name: string): string {
  const po = JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'po-1001-widgets.json'), 'utf8'));
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...po, name }));
  return file;
}

async function faults(settings: object): Promise<void> {
  const response = await fetch(`${suite.stack.sandbox.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  expect(response.status).toBe(200);
}

test('a cancel held behind a create that the provider keeps answering 503 is accepted and in progress, then done', async () => {
  // The PO lands at the provider; the read of its line items that ends the create keeps failing.
  await faults({ serverErrorRate: 1, routeFamilies: ['purchase_order_line_items'], retryAfterSeconds: 1 });
  expect((await poflow('submit', examplePo('PO-HELD'))).code).toBe(0);

  const started = Date.now();
  const held = await poflow('cancel', 'PO-HELD', '--wait', '3', '--reason', 'raced the create');
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(held.code).toBe(0);
  expect(held.stdout).toContain('cancel of purchase order PO-HELD accepted and still in progress after 3 s');
  expect(held.stdout).toContain('Follow it with: poflow status PO-HELD');

  await faults({});
  const cancelled = await statusUntil('PO-HELD', (po) => po.status === 'cancelled');
  expect(cancelled.history.map((h: { cause: string }) => h.cause).join('\n')).toContain('raced the create');
  const again = await poflow('cancel', 'PO-HELD', '--json');
  expect({ code: again.code, ...jsonOf(again) }).toMatchObject({ code: 0, outcome: 'already_done', status: 'cancelled' }); // prettier-ignore
});

test('an error from the server shows its cause, not only the SDK top line', async () => {
  // A namespace without poflow's search attributes: starting a PO there fails on the server.
  await suite.stack.client.connection.workflowService.registerNamespace({
    namespace: 'bare',
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  const env = { cliEnv: { ...suite.stack.cliEnv, TEMPORAL_NAMESPACE: 'bare' } };
  let result = await runCli(env, ['submit', examplePo('PO-BARE'), '--json']);
  // A new namespace takes a few seconds to reach every part of the server.
  for (let i = 0; i < 60 && /not found/i.test(result.stdout); i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await runCli(env, ['submit', examplePo('PO-BARE'), '--json']);
  }
  expect(result.code).toBe(1);
  const { error, causes } = jsonOf(result);
  expect([error, ...(causes ?? [])].join('\n')).toMatch(/PoName|search attribute/i);
  const human = await runCli(env, ['submit', examplePo('PO-BARE')]);
  expect(human.stderr).toMatch(/^poflow: .*\n {2}caused by: .*(PoName|search attribute)/im);
});
