/**
 * The lifecycle's model-based test, as long as you like: `npm run test:model -- --runs 200000
 * [--seed N] [--provider flexport|flxpoint]`. Prints each run's figures and, on a failure, the
 * shrunk counterexample with the invariants it broke.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { runScenario, scenarioArbitrary } from './flexport-scenario';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      survey: { type: 'string' },
    },
  });
  if (values.survey !== undefined) return survey(Number(values.survey));
  const numRuns = Number(values.runs);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const started = Date.now();
  const result = await fc.check(
    fc.asyncProperty(
      scenarioArbitrary,
      async (scenario) => (await runScenario(scenario)).violations.length === 0,
    ),
    { numRuns, seed },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!result.failed) {
    console.log(`flexport: ${result.numRuns} runs, 0 failures, seed ${seed}, ${seconds} s`);
    return;
  }
  const [scenario] = result.counterexample!;
  const { violations, po } = await runScenario(scenario);
  console.log(
    `flexport: failed after ${result.numRuns} runs (seed ${seed}, ${result.numShrinks} shrinks, ${seconds} s)`,
  );
  console.log(JSON.stringify(scenario));
  for (const violation of violations) console.log(`  ${violation}`);
  for (const entry of po.state.history) console.log(`    ${entry.at} ${entry.from} -> ${entry.to}${entry.change ? ` [${entry.change}]` : ''}: ${entry.cause}`); // prettier-ignore
  process.exitCode = 1;
}

/**
 * Every kind of failure the model finds in `seconds`: one property check per seed, each shrunk
 * counterexample filed under its first violation with numbers and times left out.
 */
async function survey(seconds: number): Promise<void> {
  const kinds = new Map<string, { seed: number; scenario: unknown; violations: string[] }>();
  const until = Date.now() + seconds * 1000;
  let seed = 1;
  const kindOf = (violation: string) => violation.replace(/^\S+ /, '').replace(/\d[\d:.TZ-]*/g, 'N');
  // A run fails only on a kind not found yet, so later seeds look for the rest.
  const somethingNew = (violations: string[]) => violations.some((v) => !kinds.has(kindOf(v)));
  for (; Date.now() < until; seed += 1) {
    const result = await fc.check(
      fc.asyncProperty(
        scenarioArbitrary,
        async (scenario) => !somethingNew((await runScenario(scenario)).violations),
      ),
      { numRuns: 2000, seed },
    );
    if (!result.failed) continue;
    const [scenario] = result.counterexample!;
    const { violations } = await runScenario(scenario);
    const kind = kindOf(violations.find((v) => !kinds.has(kindOf(v)))!);
    const known = kinds.get(kind);
    if (!known || JSON.stringify(scenario).length < JSON.stringify(known.scenario).length) {
      kinds.set(kind, { seed, scenario, violations });
    }
  }
  console.log(`survey: ${seed - 1} seeds in ${seconds} s, ${kinds.size} kinds of failure`);
  for (const [kind, found] of kinds) {
    console.log(`\n- ${kind} (seed ${found.seed})\n  ${JSON.stringify(found.scenario)}`);
    for (const violation of found.violations) console.log(`    ${violation}`);
  }
  if (kinds.size > 0) process.exitCode = 1;
}

void main();
