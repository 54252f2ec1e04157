/**
 * The Flxpoint lifecycle's model-based test (test/model/flxpoint-*.ts): a fixed seed and a time
 * budget here; `npx tsx test/model/run.ts --provider flxpoint --runs N` for longer runs. Below it,
 * the counterexamples the model found, shrunk, each as the regression it was.
 */
import fc from 'fast-check';
import { runScenario, scenarioArbitrary, type Scenario, type Step } from './model/flxpoint-scenario';

const SEED = 20300301;
const BUDGET_MS = 15_000;

test('the Flxpoint lifecycle keeps its invariants whatever Flxpoint answers and whoever moves the PO', () => {
  const result = fc.check(
    fc.property(scenarioArbitrary, (scenario) => runScenario(scenario).violations.length === 0),
    { seed: SEED, numRuns: 10_000_000, interruptAfterTimeLimit: BUDGET_MS },
  );
  if (result.failed) {
    const [scenario] = result.counterexample!;
    throw new Error(`${JSON.stringify(scenario)}\n${runScenario(scenario).violations.join('\n')}`);
  }
  expect(result.numRuns).toBeGreaterThanOrEqual(500);
}, 60_000);

const scenario = (steps: Step[], more: Partial<Scenario> = {}): Scenario => ({
  settings: { provider: 'flxpoint', poll: { firstSeconds: 60, maxSeconds: 3600 } },
  steps,
  ...more,
});

/** Runs the scenario; it must come to rest clean. */
function clean(s: Scenario) {
  const { po, violations } = runScenario(s);
  expect(violations).toEqual([]);
  return po;
}

describe('counterexamples the model found', () => {
  test("a create whose answer was lost and whose retry got a 401, then cancelled: Flxpoint's PO is looked up and cancelled, not left live", () => {
    // Was: "cancelled while Flxpoint still holds it as unprocessed" (no call: "nothing at Flxpoint to cancel").
    const po = clean(scenario([{ kind: 'cancel' }, { kind: 'answer', outcome: 'applied_then_lost' }, { kind: 'answer', outcome: 'refused' }])); // prettier-ignore
    expect(po.state).toMatchObject({
      status: 'cancelled',
      flxpointStatus: 'canceled',
      providerId: 4_100_000,
    });
    expect(po.provider.byNumber('FLX-1')).toMatchObject({ status: 'canceled', cancelReason: 'cancelled by operator' }); // prettier-ignore
  });

  test('a create retried after a 429 whose retry got a 401: the cancel looks the number up and finds nothing', () => {
    const po = clean(scenario([{ kind: 'answer', outcome: 'transient' }, { kind: 'answer', outcome: 'refused' }, { kind: 'cancel' }])); // prettier-ignore
    expect(po.state).toMatchObject({ status: 'cancelled' });
    expect(po.state.history.at(-1)).toMatchObject({ to: 'cancelled', cause: 'cancelled by operator' });
    expect(po.provider.pos).toEqual([]);
  });

  test('the same when the cancel comes after the refusal (needs attention, no Flxpoint id)', () => {
    const po = clean(scenario([{ kind: 'answer', outcome: 'applied_then_lost' }, { kind: 'answer', outcome: 'refused' }, { kind: 'cancel', reason: 'duplicate order' }])); // prettier-ignore
    expect(po.state).toMatchObject({ status: 'cancelled', flxpointStatus: 'canceled' });
    expect(po.provider.byNumber('FLX-1')).toMatchObject({
      status: 'canceled',
      cancelReason: 'duplicate order',
    });
  });

  test('a create refused on its first attempt is still cancelled without a call: nothing can be at Flxpoint', () => {
    const po = clean(scenario([{ kind: 'answer', outcome: 'refused' }, { kind: 'cancel' }]));
    expect(po.commandsIssued).toBe(1);
    expect(po.state.status).toBe('cancelled');
    expect(po.state.history.at(-1)).toMatchObject({ to: 'cancelled', cause: 'cancelled by operator' });
    expect(po.provider.pos).toEqual([]);
  });

  test('a cancel during a create Flxpoint answers as already processed is refused by the rule, not sent', () => {
    // Was: "a cancel sent though poflow read the PO as processed (sent to the source)".
    const po = clean(scenario([{ kind: 'cancel' }], { requestStatus: 'processed' }));
    expect(po.requests).toEqual([expect.objectContaining({ label: 'cancel', settled: true, refusal: expect.stringContaining('has sent it to the source (it is processed)') })]); // prettier-ignore
    expect(po.state).toMatchObject({ status: 'open', flxpointStatus: 'processed' });
  });

  test('the same after a 409 read-back finds the PO acknowledged', () => {
    const po = clean(scenario([{ kind: 'cancel' }, { kind: 'taken', sameOrder: true }, { kind: 'outside', status: 'acknowledged', reason: false }])); // prettier-ignore
    expect(po.requests[0]).toMatchObject({
      settled: true,
      refusal: expect.stringContaining('(it is acknowledged)'),
    });
    expect(po.provider.byNumber('FLX-1')?.status).toBe('acknowledged');
  });

  test('a cancel asked for while a read is in flight waits for its answer: acknowledged there, it is refused', () => {
    // Was: "a cancel sent though poflow read the PO as acknowledged": the cancel was queued behind the read.
    const po = clean(scenario([{ kind: 'poll' }, { kind: 'outside', status: 'acknowledged', reason: false }, { kind: 'cancel' }], { adopted: 'unprocessed' })); // prettier-ignore
    expect(po.requests[0]).toMatchObject({
      settled: true,
      refusal: expect.stringContaining('(it is acknowledged)'),
    });
    expect(po.state).toMatchObject({ status: 'open', acknowledged: true });
  });

  test('voided at Flxpoint while a cancel waited for a read: poflow ends cancelled with nothing pending', () => {
    // Was: "at rest still cancelled (pending cancel)": the cancel's pending outlived the end.
    const po = clean(scenario([{ kind: 'poll' }, { kind: 'cancel' }, { kind: 'outside', status: 'voided', reason: false }], { adopted: 'unprocessed' })); // prettier-ignore
    expect(po.state).toMatchObject({ status: 'cancelled', flxpointStatus: 'voided' });
    expect(po.state.pending).toBeUndefined();
    expect(po.requests[0]).toMatchObject({ settled: true });
    expect(po.requests[0]!.refusal).toBeUndefined();
  });

  test("a PO the 409 read-back finds voided at Flxpoint ends for Flxpoint's reason, not as 'Flxpoint already had the PO'", () => {
    const po = clean(scenario([{ kind: 'taken', sameOrder: true }, { kind: 'outside', status: 'voided', reason: true }])); // prettier-ignore
    expect(po.state.history.at(-1)).toMatchObject({ from: 'submitting', to: 'cancelled', cause: 'Flxpoint status voided: voided at the source (Flxpoint already had the PO as 4100000)' }); // prettier-ignore
  });

  test('a PO the 409 read-back finds flagged duplicate needs attention for that reason', () => {
    const po = clean(scenario([{ kind: 'taken', sameOrder: true }, { kind: 'outside', status: 'duplicate', reason: false }])); // prettier-ignore
    expect(po.state.history.at(-1)).toMatchObject({ to: 'needs_attention', cause: expect.stringMatching(/^Flxpoint status duplicate: .*\(Flxpoint already had the PO as 4100000\)$/) }); // prettier-ignore
  });
});
