/**
 * What one more workflow costs a worker: the heap a cached PO holds and the time to create it (every
 * start, and every replay after the PO was evicted from the cache), measured in the SDK's reusable
 * V8 context (its internal `ReusableVMWorkflowCreator`, what `Worker.create` uses) without a server.
 * Compared in the same run against a baseline bundle of `pingWorkflow` alone, and against the
 * workflow bundle of `POFLOW_BENCH_BEFORE` [the commit before the schemas were shared] built from a
 * temporary checkout. Run: npx tsx bench/workflow-cost.ts [workflows per bundle, 200]
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { ensureWorkflowBundle, SHARED_WORKFLOW_MODULES } from '../worker/workflow-bundle';

const COUNT = Number(process.argv[2] ?? 200);
const BEFORE_REF = process.env.POFLOW_BENCH_BEFORE ?? 'f2e3858';
// A full collection before each heap reading, without asking for node --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

interface Cost {
  bundle: string;
  heapKiBPerWorkflow: number;
  msPerWorkflow: number;
}

/** Creates `COUNT` workflows of `workflowType` from `code`, keeping every one, as a worker's cache does. */
async function measure(bundle: string, code: string, workflowType: string): Promise<Cost> {
  const emptyMap = { version: 3, sources: [], names: [], mappings: '' };
  const creator = await ReusableVMWorkflowCreator.create(
    { code, filename: `${bundle}.js`, sourceMap: emptyMap } as never,
    60_000,
    new Set(),
    undefined as never,
  );
  const create = (i: number) =>
    creator.createWorkflow({
      info: {
        workflowType,
        workflowId: `cost-${i}`,
        runId: `${bundle}-${i}`,
        firstExecutionRunId: `${bundle}-${i}`,
        namespace: 'default',
        taskQueue: 'cost',
        attempt: 1,
        historyLength: 0,
        historySize: 0,
        continueAsNewSuggested: false,
        searchAttributes: {},
        typedSearchAttributes: [],
        memo: {},
        startTime: new Date(),
        runStartTime: new Date(),
        unsafe: { isReplaying: false },
      },
      randomnessSeed: [1, 2],
      now: Date.now(),
      showStackTraceSources: false,
    } as never);
  const kept = [await create(-1)]; // the first builds what is shared
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) kept.push(await create(i));
  const ms = (performance.now() - started) / COUNT;
  gc();
  const heapKiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / COUNT;
  await Promise.all(kept.map((workflow) => workflow.dispose()));
  await creator.destroy();
  return { bundle, heapKiBPerWorkflow: Math.round(heapKiB), msPerWorkflow: Number(ms.toFixed(2)) };
}

/** The workflow bundle of `ref`, built from a temporary checkout with this checkout's node_modules. */
async function bundleOf(ref: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-workflow-cost-'));
  execSync(`git archive ${ref} workflows | tar -x -C ${dir}`, { cwd: PROJECT_ROOT });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // Where the shared modules are now, or (older refs) at the top of workflows/.
  const shared = SHARED_WORKFLOW_MODULES.flatMap((file) => [
    path.join(dir, path.relative(PROJECT_ROOT, file)),
    path.join(dir, 'workflows', path.basename(file)),
  ]);
  const preloadModules = shared.filter((file) => existsSync(file));
  return (
    await bundleWorkflowCode({
      workflowsPath: path.join(dir, 'workflows', 'index.ts'),
      preloadModules,
      logger: quietLogger,
    })
  ).code;
}

async function main(): Promise<void> {
  const current = readFileSync(await ensureWorkflowBundle(), 'utf8');
  const ping = (
    await bundleWorkflowCode({
      workflowsPath: path.join(PROJECT_ROOT, 'workflows', 'ping.ts'),
      logger: quietLogger,
    })
  ).code;
  const before = await bundleOf(BEFORE_REF);
  const costs = [
    await measure('baseline: pingWorkflow alone', ping, 'pingWorkflow'),
    await measure(`purchaseOrderWorkflow at ${BEFORE_REF}`, before, 'purchaseOrderWorkflow'),
    await measure('purchaseOrderWorkflow now', current, 'purchaseOrderWorkflow'),
  ];
  const [baseline] = costs;
  console.log(
    `${COUNT} workflows per bundle, kept alive as a worker's cache keeps them, Node ${process.version}`,
  );
  for (const cost of costs) {
    const heap = `${String(cost.heapKiBPerWorkflow).padStart(5)} KiB`;
    const time = `${cost.msPerWorkflow.toFixed(2).padStart(7)} ms`;
    const toBaseline = (cost.msPerWorkflow / baseline!.msPerWorkflow).toFixed(1);
    console.log(`${cost.bundle.padEnd(40)} ${heap}  ${time}  (${toBaseline} x the baseline's time)`);
  }
  const file = path.join(PROJECT_ROOT, 'bench', 'results', 'workflow-cost.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), count: COUNT, costs }, null, 2)}\n`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
