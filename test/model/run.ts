/**
 * The lifecycle's model-based test, as long as you like: `npm run test:model -- --runs 200000
 * [--seed N] [--provider flexport|flxpoint]`. Prints each run's figures and, on a failure, the
 * shrunk counterexample with the invariants it broke.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import type { HistoryEntry } from '../../workflows/core/status';
import * as flexport from './flexport-scenario';
import * as flxpoint from './flxpoint-scenario';

/** What the CLI needs of a provider's model-based test. */
interface ModelTest {
  scenarios: fc.Arbitrary<unknown>;
  run(scenario: unknown): Promise<{ violations: string[]; history: HistoryEntry[] }>;
}

const PROVIDERS: Record<string, ModelTest> = {
  flexport: {
    scenarios: flexport.scenarioArbitrary,
    run: async (scenario) => {
      const { violations, po } = await flexport.runScenario(scenario as flexport.Scenario);
      return { violations, history: po.state.history };
    },
  },
  flxpoint: {
    scenarios: flxpoint.scenarioArbitrary,
    run: async (scenario) => {
      const { violations, po } = flxpoint.runScenario(scenario as flxpoint.Scenario);
      return { violations, history: po.state.history };
    },
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      survey: { type: 'string' },
      provider: { type: 'string', default: 'flexport' },
    },
  });
  const name = values.provider;
  const model = PROVIDERS[name];
  if (!model) {
    console.error(`--provider: expected one of ${Object.keys(PROVIDERS).join(', ')}, got ${name}`);
    process.exitCode = 2;
    return;
  }
  if (values.survey !== undefined) return survey(model, Number(values.survey));
  const numRuns = Number(values.runs);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const started = Date.now();
  const result = await fc.check(
    fc.asyncProperty(
      model.scenarios,
      async (scenario) => (await model.run(scenario)).violations.length === 0,
    ),
    { numRuns, seed },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!result.failed) {
    console.log(`${name}: ${result.numRuns} runs, 0 failures, seed ${seed}, ${seconds} s`);
    return;
  }
  const [scenario] = result.counterexample!;
  const { violations, history } = await model.run(scenario);
  console.log(`${name}: failed after ${result.numRuns} runs (seed ${seed}, ${result.numShrinks} shrinks, ${seconds} s)`); // prettier-ignore
  console.log(JSON.stringify(scenario));
  for (const violation of violations) console.log(`  ${violation}`);
  for (const entry of history) console.log(`    ${entry.at} ${entry.from} -> ${entry.to}${entry.change ? ` [${entry.change}]` : ''}: ${entry.cause}`); // prettier-ignore
  process.exitCode = 1;
}

/**
 * Every kind of failure the model finds in `seconds`: one property check per seed, each shrunk
 * counterexample filed under its first violation with numbers and times left out.
 */
async function survey(model: ModelTest, seconds: number): Promise<void> {
  const kinds = new Map<string, { seed: number; scenario: unknown; violations: string[] }>();
  const until = Date.now() + seconds * 1000;
  let seed = 1;
  const kindOf = (violation: string) => violation.replace(/^\S+ /, '').replace(/\d[\d:.TZ-]*/g, 'N');
  // A run fails only on a kind not found yet, so later seeds look for the rest.
  const somethingNew = (violations: string[]) => violations.some((v) => !kinds.has(kindOf(v)));
  for (; Date.now() < until; seed += 1) {
    const result = await fc.check(
      fc.asyncProperty(
        model.scenarios,
        async (scenario) => !somethingNew((await model.run(scenario)).violations),
      ),
      { numRuns: 2000, seed },
    );
    if (!result.failed) continue;
    const [scenario] = result.counterexample!;
    const { violations } = await model.run(scenario);
    const kind = kindOf(violations.find((v) => !kinds.has(kindOf(v)))!);
    kinds.set(kind, { seed, scenario, violations });
    console.log(`\n- ${kind} (seed ${seed}, ${((Date.now() - until) / 1000 + seconds).toFixed(0)} s)\n  ${JSON.stringify(scenario)}`); // prettier-ignore
    for (const violation of violations) console.log(`    ${violation}`);
  }
  console.log(`\nsurvey: ${seed - 1} seeds in ${seconds} s, ${kinds.size} kinds of failure`);
  if (kinds.size > 0) process.exitCode = 1;
}

void main();
