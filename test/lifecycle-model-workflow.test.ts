/**
 * Issue 26's model-based test, second configuration: the scenarios of test/model/flexport-scenario.ts
 * against the real Flexport PO workflow on the time-skipping test server, the provider being an
 * activity double of the provider model (test/model/flexport-workflow-driver.ts). `npm test` runs
 * a few dozen scenarios with a fixed seed; `POFLOW_MODEL_WORKFLOW_RUNS=300` (and
 * `POFLOW_MODEL_WORKFLOW_SEED`, `POFLOW_MODEL_WORKFLOW_SIZE=medium` for longer scenarios) runs more;
 * `POFLOW_MODEL_WORKFLOW_DEBUG=1` prints each run, `POFLOW_MODEL_WORKFLOW_TRACE=1` each step.
 */
// First: fast-check's size for the scenarios (`POFLOW_MODEL_WORKFLOW_SIZE`) applies to arbitraries built after it.
import './model/fast-check-size';
import fc from 'fast-check';
import { scenarioArbitrary, type Scenario } from './model/flexport-scenario';
import { WorkflowModelRig } from './model/flexport-workflow-driver';

const RUNS = Number(process.env.POFLOW_MODEL_WORKFLOW_RUNS ?? 48);
const SEED = Number(process.env.POFLOW_MODEL_WORKFLOW_SEED ?? 2026);
const DEBUG = process.env.POFLOW_MODEL_WORKFLOW_DEBUG === '1';
/** Shrinking replays scenarios on the real workflow: it stops here, with the smallest found so far. */
const TIME_LIMIT_MS = Math.max(150_000, RUNS * 15_000);

let rig: WorkflowModelRig | undefined;

beforeAll(async () => {
  rig = await WorkflowModelRig.start();
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

test(
  `the real workflow keeps the lifecycle's invariants over ${RUNS} generated scenarios (seed ${SEED})`,
  async () => {
    const started = Date.now();
    const result = await fc.check(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const run = await rig!.run(scenario);
        if (DEBUG) console.log(`${scenario.steps.length} steps, ${run.providerCalls} calls, ${run.state?.status} (v${run.state?.providerVersion}, provider ${run.provider.body?.status} v${run.provider.version}), ${run.closed ? 'completed' : 'idle'}, requests ${run.requests.map((r) => `${r.label}:${r.settled ? (r.refusal ?? 'ok') : 'UNSETTLED'}`).join(' | ')} ${run.violations.join('; ')}`); // prettier-ignore
        return run.violations.length === 0;
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!result.failed) {
      console.log(`flexport workflow model: ${result.numRuns} runs, 0 failures, seed ${SEED}, ${seconds} s`);
      return;
    }
    const [scenario] = result.counterexample as [Scenario];
    const { violations, state } = await rig!.run(scenario);
    const report = [
      `flexport workflow model: failed after ${result.numRuns} runs (seed ${SEED}, ${result.numShrinks} shrinks, ${seconds} s)`,
      JSON.stringify(scenario),
      ...violations.map((v) => `  ${v}`),
      ...(state?.history ?? []).map((e) => `    ${e.at} ${e.from} -> ${e.to}${e.change ? ` [${e.change}]` : ''}: ${e.cause}`), // prettier-ignore
    ].join('\n');
    console.log(report);
    expect(violations).toEqual([]);
  },
  TIME_LIMIT_MS + 60_000,
);
