/**
 * The Flxpoint lifecycle's model-based test: random interleavings of operator requests, Flxpoint's
 * answers (401s, 409s, answers lost after the call landed, 429s and 5xx), polls, and changes made
 * at Flxpoint (its source moving the PO on, a person voiding or cancelling it, another PO taking
 * the number first), run against `FlxpointPo` and the provider model, with the invariants checked
 * after every step and at quiescence. Shared by the jest suite (fixed seed, time budget) and
 * `npm run test:model -- --provider flxpoint` (as many runs as asked).
 */
import fc from 'fast-check';
import { FlxpointPurchaseOrder, type FlxpointPoStatus } from '../../workflows/flxpoint/purchase-order';
import { flxpointLifecycle } from '../../workflows/flxpoint/status';
import { PoSettings, type PoSettingsInput } from '../../workflows/core/settings';
import { isTerminal } from '../../workflows/core/status';
import { sampleFlxpointPurchaseOrder } from '../support/flxpoint-purchase-orders';
import { FlxpointPo, type CallOutcome } from './flxpoint-po';
import { isTerminalHandle } from './flxpoint-provider';

export const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const STEP_MS = 20_000;
export const REASONS = ['samples no longer needed', 'duplicate order'] as const;
const NUMBER = 'FLX-1';

/** Statuses the counterpart can set (`transferred` is in responses only). */
const MOVES = ['unprocessed', 'processing', 'processed', 'acknowledged', 'cross_docked', 'processing_error', 'additional_info_required', 'duplicate', 'voided', 'canceled'] as const satisfies readonly FlxpointPoStatus[]; // prettier-ignore
const ADOPTABLE = ['unprocessed', 'processing', 'processed', 'acknowledged', 'cross_docked', 'processing_error'] as const satisfies readonly FlxpointPoStatus[]; // prettier-ignore

export type Step =
  | { kind: 'cancel'; reason?: (typeof REASONS)[number] }
  /** The create sent again after Flxpoint refused it: as it was, or corrected. */
  | { kind: 'amend'; corrected: boolean }
  | { kind: 'answer'; outcome: CallOutcome }
  | { kind: 'poll' }
  /** The counterpart moves the PO on in Flxpoint's UI (a reason with it, or not). */
  | { kind: 'outside'; status: (typeof MOVES)[number]; reason: boolean }
  /** Someone else makes a PO with this number at Flxpoint: for this order (another integration) or another. */
  | { kind: 'taken'; sameOrder: boolean };

export interface Scenario {
  /** A PO made at Flxpoint and adopted in this status, or one poflow creates. */
  adopted?: (typeof ADOPTABLE)[number];
  /** A status the create request forces (Flxpoint's `purchaseOrderStatus`), or none. */
  requestStatus?: 'processing' | 'processed';
  settings: PoSettingsInput;
  steps: Step[];
}

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), reason: fc.option(fc.constantFrom(...REASONS), { nil: undefined }) }), weight: 2 }, // prettier-ignore
  { arbitrary: fc.record({ kind: fc.constant('amend' as const), corrected: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('answer' as const), outcome: fc.constantFrom<CallOutcome>('accepted', 'accepted', 'refused', 'applied_then_lost', 'transient') }), weight: 6 }, // prettier-ignore
  { arbitrary: fc.record({ kind: fc.constant('poll' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('outside' as const), status: fc.constantFrom(...MOVES), reason: fc.boolean() }), weight: 3 }, // prettier-ignore
  { arbitrary: fc.record({ kind: fc.constant('taken' as const), sameOrder: fc.boolean() }), weight: 1 },
);

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  adopted: fc.option(fc.constantFrom(...ADOPTABLE), { nil: undefined, freq: 4 }),
  requestStatus: fc.option(fc.constantFrom('processing' as const, 'processed' as const), { nil: undefined, freq: 2 }), // prettier-ignore
  settings: fc.record({
    provider: fc.constant('flxpoint' as const),
    poll: fc.constantFrom({ firstSeconds: 60, maxSeconds: 3600 }, { firstSeconds: 30, maxSeconds: 60 }),
  }),
  steps: fc.array(stepArbitrary, { maxLength: 40 }),
});

const purchaseOrders = new Map<string, FlxpointPurchaseOrder>();

/** The PO as submitted, or its corrected amendment (parsed once: zod is the costly part of a run). */
function purchaseOrder(
  requestStatus?: Scenario['requestStatus'],
  corrected = false,
  orderId = 5001,
): FlxpointPurchaseOrder {
  const key = `${requestStatus}/${corrected}/${orderId}`;
  let po = purchaseOrders.get(key);
  if (!po) {
    const sample = sampleFlxpointPurchaseOrder(NUMBER, { orderId, ...(requestStatus ? { purchaseOrderStatus: requestStatus } : {}) }); // prettier-ignore
    if (corrected) sample.purchaseOrderItems = sample.purchaseOrderItems.map((item) => ({ ...item, quantity: item.quantity + 1 })); // prettier-ignore
    po = FlxpointPurchaseOrder.parse(sample);
    purchaseOrders.set(key, po);
  }
  return po;
}

const settingsCache = new Map<string, PoSettings>();
function settingsOf(input: PoSettingsInput): PoSettings {
  const key = JSON.stringify(input);
  let settings = settingsCache.get(key);
  if (!settings) settingsCache.set(key, (settings = PoSettings.parse(input)));
  return settings;
}

/** Runs one scenario to quiescence; returns the violations found (none: the run is clean). */
export function runScenario(scenario: Scenario): { po: FlxpointPo; violations: string[] } {
  const po = new FlxpointPo(purchaseOrder(scenario.requestStatus), settingsOf(scenario.settings), T0, scenario.adopted); // prettier-ignore
  for (const step of scenario.steps) {
    po.advance(STEP_MS);
    take(po, scenario, step);
    po.tick();
    if (po.commandsIssued > 4 + 3 * scenario.steps.length) po.violate('commands grow without bound');
    if (po.violations.length > 0) break;
  }
  if (po.violations.length === 0) quiesce(po);
  return { po, violations: po.violations };
}

function take(po: FlxpointPo, scenario: Scenario, step: Step): void {
  switch (step.kind) {
    case 'cancel':
      return po.cancel(step.reason);
    case 'amend':
      return po.amend(purchaseOrder(scenario.requestStatus, step.corrected));
    case 'answer':
      return po.answer(step.outcome);
    case 'poll':
      return void po.poll();
    case 'outside':
      return po.provider.move(NUMBER, step.status, step.reason ? `${step.status} at the source` : undefined);
    case 'taken':
      if (po.provider.byNumber(NUMBER)) return;
      return void po.provider.create(purchaseOrder(undefined, false, step.sameOrder ? 5001 : 6001), { by: 'outside', change: 'created' }); // prettier-ignore
  }
}

/**
 * Flxpoint answers everything in the end (outages and 429s are bounded) and nothing changes there
 * any more; the polling timer fires until poflow has read Flxpoint's latest. Then the invariants
 * that hold at rest.
 */
function quiesce(po: FlxpointPo): void {
  for (let step = 0; ; step += 1) {
    if (step > 50) return po.violate('does not come to rest: calls keep coming with nothing new from anyone');
    po.tick();
    if (po.violations.length > 0) return;
    po.advance(STEP_MS);
    if (po.call) po.answer('accepted');
    else if (po.completed || po.state.providerId === undefined || po.seenRevision === po.provider.revision)
      break;
    else if (!po.poll())
      return po.violate(`stops reading a PO that is ${po.state.status} (Flxpoint has changed since)`);
  }
  checkAtRest(po);
}

function checkAtRest(po: FlxpointPo): void {
  for (const request of po.requests) {
    if (!request.settled) po.violate(`the ${request.label} request never settled`);
  }
  const { state, provider } = po;
  if (
    state.status === 'submitting' ||
    state.pending ||
    state.cancelAfterCreate !== undefined ||
    state.refusedCancel
  ) {
    return po.violate(`at rest still ${state.status} (pending ${state.pending?.intent}, cancel after create ${state.cancelAfterCreate})`); // prettier-ignore
  }
  const held = provider.byNumber(state.name);
  const ours =
    held && held.orderId === state.po.orderId && held.sourceId === state.po.sourceId ? held : undefined;
  if (state.providerId === undefined) {
    // Flxpoint refused the create (or the number is another order's): a person must look, or it was cancelled.
    if (!['needs_attention', 'cancelled'].includes(state.status))
      po.violate(`${state.status} without a Flxpoint PO`);
    // A PO of this order someone else made meanwhile is not poflow's to cancel; one poflow made is.
    const made = ours?.statuses[0]!.origin.by === 'poflow';
    if (state.status === 'cancelled' && ours && made && !isTerminalHandle(ours.status)) {
      po.violate(`cancelled while Flxpoint still holds it as ${ours.status} (${ours.id})`);
    }
  } else {
    const followed = provider.byId(state.providerId);
    if (!followed || followed !== held) return po.violate(`follows Flxpoint PO ${state.providerId}, which does not hold ${state.name}`); // prettier-ignore
    const expected = flxpointLifecycle({ purchaseOrderStatus: { handle: followed.status }, ...followed });
    if (state.flxpointStatus !== followed.status) po.violate(`Flxpoint status: poflow ${state.flxpointStatus}, Flxpoint ${followed.status}`); // prettier-ignore
    if (state.status !== expected.status)
      po.violate(`poflow says ${state.status}, Flxpoint ${followed.status}`);
    if (state.statusReason !== expected.reason) po.violate(`reason: poflow "${state.statusReason}", Flxpoint "${expected.reason}"`); // prettier-ignore
    const everAcknowledged = followed.statuses.some((s) => s.status === 'acknowledged');
    if (followed.status === 'acknowledged' && !state.acknowledged)
      po.violate('acknowledged at Flxpoint, not in poflow');
    if (state.acknowledged && !everAcknowledged) po.violate('acknowledged in poflow, never at Flxpoint');
    if (!isTerminal(state.status) && !state.nextPoll) po.violate(`${state.status} with no next read`);
  }
  checkCauses(po);
}

/** Every transition names its true cause: who ended the PO, why it needs attention. */
function checkCauses(po: FlxpointPo): void {
  const { state, provider } = po;
  const followed = state.providerId === undefined ? undefined : provider.byId(state.providerId);
  for (const entry of state.history) {
    if (entry.from === entry.to) continue;
    if (
      entry.to === 'needs_attention' &&
      !/^Flxpoint (refused|status (processing_error|additional_info_required|duplicate|po_number_exceeds_max_length))/.test(
        entry.cause,
      )
    ) {
      // prettier-ignore
      po.violate(`needs attention because "${entry.cause}": names no refusal nor Flxpoint status`);
    }
  }
  const end = state.history.find((entry) => isTerminal(entry.to) && !isTerminal(entry.from));
  if (!end) return;
  const ending = followed && provider.ending(followed);
  if (!ending) {
    // Nothing at Flxpoint ended: poflow cancelled a PO Flxpoint never took, for the operator.
    if (!po.cancelCauses.includes(end.cause)) po.violate(`cancelled without Flxpoint but its history says "${end.cause}"`); // prettier-ignore
    return;
  }
  const { origin } = ending;
  if (origin.by === 'poflow' && !end.cause.includes(origin.cause)) {
    po.violate(`${ending.status} by poflow's cancel "${origin.cause}" but its history says "${end.cause}"`);
  }
  if (origin.by === 'outside' && !new RegExp(`Flxpoint status ${ending.status}`).test(end.cause)) {
    po.violate(`${ending.status} at Flxpoint (${origin.change}) but its history says "${end.cause}"`);
  }
}
