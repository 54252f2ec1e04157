/**
 * `poflow adopt --all` over an order book of a few hundred POs made in the provider's UI:
 * interrupted (SIGKILL) part way, run again, and nothing is adopted twice or left out.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SandboxCounterpart } from '../client/sandbox-counterpart';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { samplePurchaseOrder } from './support/purchase-orders';
import { jsonOf, stackPerFile } from './support/stack';

const suite = stackPerFile();
const BOOK = 300;

async function adoptedSoFar(): Promise<number> {
  return (await suite.stack.client.workflow.count('PoName STARTS_WITH "PO-BOOK-"')).count;
}

/** The count once visibility has caught up with the starts: the same twice, a second apart. */
async function settledCount(): Promise<number> {
  for (let last = -1; ;) {
    const count = await adoptedSoFar();
    if (count === last) return count;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Makes `names` in the provider's UI, a few at a time. */
async function makeBook(names: string[]): Promise<void> {
  const counterpart = new SandboxCounterpart(suite.stack.sandbox.url);
  const now = Date.now();
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map((name) => counterpart.createPurchaseOrder(samplePurchaseOrder(name, now)))); // prettier-ignore
  }
}

test(`adopt --all over ${BOOK} POs, killed part way and run again: every PO adopted once`, async () => {
  const names = Array.from({ length: BOOK }, (_, i) => `PO-BOOK-${String(i).padStart(4, '0')}`);
  await makeBook(names);

  // The first run is killed once it has adopted some of the book.
  const first = spawn(
    process.execPath,
    [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), 'adopt', '--all', '--json'],
    {
      cwd: PROJECT_ROOT,
      env: suite.stack.cliEnv,
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => first.on('exit', resolve));
  for (let before = 0; before < 30; before = await adoptedSoFar()) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  first.kill('SIGKILL');
  await exited;
  const before = await settledCount();
  expect(before).toBeGreaterThanOrEqual(30);
  expect(before).toBeLessThan(BOOK);

  const second = await suite.poflow('adopt', '--all', '--json');
  expect(second.code).toBe(0);
  const summary = jsonOf(second);
  expect(summary).toMatchObject({ status: 'open', total: BOOK, refused: 0, failed: 0 });
  // What the first run started before it was killed is followed already; the rest is adopted now.
  expect(summary.adopted + summary.already_followed).toBe(BOOK);
  expect(summary.adopted).toBe(BOOK - before);
  expect(await settledCount()).toBe(BOOK);
  console.log(`adopt --all resumed: ${summary.adopted} POs adopted in ${summary.seconds.toFixed(1)} s (${summary.posPerSecond.toFixed(1)} POs/s), ${summary.already_followed} already followed`); // prettier-ignore

  // A third run adopts nothing.
  expect(jsonOf(await suite.poflow('adopt', '--all', '--json'))).toMatchObject({ total: BOOK, adopted: 0, already_followed: BOOK }); // prettier-ignore
}, 600_000);

test('adopt --all --updated-since takes only the POs changed at the provider after that time', async () => {
  const since = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 10));
  await makeBook(['PO-LATE-1', 'PO-LATE-2']);
  const result = await suite.poflow('adopt', '--all', '--updated-since', since, '--json');
  expect(result.code).toBe(0);
  expect(jsonOf(result)).toMatchObject({ total: 2, adopted: 2, updatedAfter: since });
});
