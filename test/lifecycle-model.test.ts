/**
 * The Flexport lifecycle's model-based test (test/model/): random interleavings of operator
 * requests, provider answers, webhooks and deadlines against a model of Flexport, with the
 * invariants checked after every step and at rest. A fixed seed and a time budget here; as long
 * as you like with `npm run test:model -- --runs 200000`. The counterexamples it found are the
 * named regressions below, each a scenario the shrinker left.
 */
import fc from 'fast-check';
import { runScenario, scenarioArbitrary, type Scenario } from './model/flexport-scenario';

const SEED = 20261207;
const BUDGET_MS = 25_000;

test('the lifecycle keeps every invariant over generated scenarios (fixed seed, 25 s budget)', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenarioArbitrary, async (scenario) => {
      runs += 1;
      const { violations } = await runScenario(scenario);
      if (violations.length > 0) throw new Error(violations.join('\n'));
    }),
    { seed: SEED, numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
  );
  // A budget that ran out before any real search would pass vacuously.
  expect(runs).toBeGreaterThan(2_000);
}, 60_000);

/** The shrunk counterexamples the model found on the code before issue 26's fixes. */
const counterexamples: Record<string, Scenario> = {
  // Finding 1: the close auto-close sends is refused; the deadline is due again at once and the
  // close went out again on every round.
  'a refused auto-close is not sent again': {
    adopted: true,
    settings: { autoClose: { after: 'must_arrive_date', days: 0 }, quietCheckHours: false },
    steps: [
      { kind: 'book', partial: false },
      { kind: 'answer', outcome: 'accepted' },
      { kind: 'deadline' },
      { kind: 'answer', outcome: 'refused' },
      { kind: 'deadline' },
    ],
  },
  // Findings 2 and 3: amend A in flight, amend B queued, auto-close queues a close, and the PO is
  // closed in Flexport's UI: it became closed with writes outstanding and B's update never settled.
  'a close at the provider while writes are queued settles every request and loses no write': {
    adopted: true,
    settings: { autoClose: { after: 'must_arrive_date', days: 0 }, quietCheckHours: false },
    steps: [
      { kind: 'book', partial: true },
      { kind: 'answer', outcome: 'accepted' },
      { kind: 'amend', cargo: 0, arrive: 1, unitsA: 500 },
      { kind: 'amend', cargo: 2, arrive: 1, unitsA: 500 },
      { kind: 'deadline' },
      { kind: 'outside', change: 'close', cargo: 0, arrive: 0 },
      { kind: 'deliver', pick: 0, again: false },
    ],
  },
  // Finding 4: poflow's amend in flight, the dates changed in Flexport's UI and that webhook
  // applied; poflow's write lands last, so Flexport holds poflow's dates while poflow showed the others.
  "an outside change racing poflow's amend leaves poflow showing what Flexport holds": {
    adopted: true,
    settings: { autoClose: false, quietCheckHours: false },
    steps: [
      { kind: 'amend', cargo: 1, arrive: 0, unitsA: 500 },
      { kind: 'outside', change: 'amend', cargo: 1, arrive: 2 },
      { kind: 'deliver', pick: 0, again: false },
      { kind: 'answer', outcome: 'accepted' },
    ],
  },
  // Finding 7: the echo of poflow's own cancel arrives before the activity's answer.
  'a cancel whose echo comes first keeps the operator and the reason': {
    adopted: true,
    settings: { autoClose: false, quietCheckHours: false },
    steps: [
      { kind: 'cancel', reason: 'samples no longer needed' },
      { kind: 'answer', outcome: 'applied_then_lost' },
      { kind: 'deliver', pick: 0, again: false },
    ],
  },
  // Finding 7: the echo of poflow's own amendment arrives before the activity's answer.
  'an amendment whose echo comes first is not recorded as a change made at the provider': {
    adopted: true,
    settings: { autoClose: false, quietCheckHours: false },
    steps: [
      { kind: 'amend', cargo: 0, arrive: 0, unitsA: 500 },
      { kind: 'answer', outcome: 'applied_then_lost' },
      { kind: 'deliver', pick: 0, again: false },
    ],
  },
};

describe('counterexamples the model found', () => {
  test.each(Object.entries(counterexamples))('%s', async (_name, scenario) => {
    const { violations } = await runScenario(scenario);
    expect(violations).toEqual([]);
  });
});
