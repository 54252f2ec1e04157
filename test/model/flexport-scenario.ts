/**
 * The Flexport lifecycle's model-based test: random interleavings of operator requests, provider
 * answers, webhooks (echoes, outside changes, duplicates, reordering, late arrivals) and
 * deadlines, run against `FlexportPo` and the provider model, with the invariants checked after
 * every step and at quiescence. Shared by the jest suite (fixed seed, time budget) and
 * `npm run test:model` (as many runs as asked).
 */
import fc from 'fast-check';
import { PurchaseOrder } from '../../workflows/flexport/purchase-order';
import { PoSettings, type PoSettingsInput } from '../../workflows/core/settings';
import { isTerminal } from '../../workflows/core/status';
import { samplePurchaseOrder, dayAfter } from '../support/purchase-orders';
import type { PoState } from '../../workflows/flexport/state';
import { FlexportPo, type CallOutcome } from './flexport-po';
import type { FlexportModel } from './flexport-provider';

export const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const HOUR_MS = 3_600_000;
export const CARGO_READY_DAYS = [8, 10, 12] as const;
export const MUST_ARRIVE_DAYS = [35, 40, 45] as const;
export const REASONS = ['samples no longer needed', 'duplicate order'] as const;

export type Step =
  | { kind: 'amend'; cargo: number; arrive: number; unitsA: 500 | 600 }
  | { kind: 'book'; partial: boolean }
  | { kind: 'close' }
  | { kind: 'cancel'; reason?: (typeof REASONS)[number] }
  | { kind: 'answer'; outcome: CallOutcome }
  | { kind: 'deliver'; pick: number; again: boolean }
  | { kind: 'outside'; change: 'amend' | 'close' | 'cancel' | 'confirm_booking' | 'deliver_shipment'; cargo: number; arrive: number } // prettier-ignore
  | { kind: 'deadline' };

export interface Scenario {
  adopted: boolean;
  settings: PoSettingsInput;
  steps: Step[];
}

const index = fc.integer({ min: 0, max: 2 });

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('amend' as const), cargo: index, arrive: index, unitsA: fc.constantFrom(500 as const, 600 as const) }), weight: 2 }, // prettier-ignore
  { arbitrary: fc.record({ kind: fc.constant('book' as const), partial: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('close' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), reason: fc.option(fc.constantFrom(...REASONS), { nil: undefined }) }), weight: 1 }, // prettier-ignore
  { arbitrary: fc.record({ kind: fc.constant('answer' as const), outcome: fc.constantFrom<CallOutcome>('accepted', 'accepted', 'refused', 'applied_then_lost', 'transient') }), weight: 6 }, // prettier-ignore
  {
    arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(5), again: fc.boolean() }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('outside' as const), change: fc.constantFrom('amend' as const, 'close' as const, 'cancel' as const, 'confirm_booking' as const, 'deliver_shipment' as const), cargo: index, arrive: index }), weight: 2 }, // prettier-ignore
  { arbitrary: fc.record({ kind: fc.constant('deadline' as const) }), weight: 2 },
);

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  adopted: fc.boolean(),
  settings: fc.record({
    autoClose: fc.constantFrom<PoSettingsInput['autoClose']>(false, { after: 'must_arrive_date', days: 0 }, { after: 'delivered_in_full', days: 2 }), // prettier-ignore
    quietCheckHours: fc.constantFrom<PoSettingsInput['quietCheckHours']>(false, 48),
  }),
  steps: fc.array(stepArbitrary, { maxLength: 40 }),
});

const purchaseOrders = new Map<string, PurchaseOrder>();

/** The PO with these dates and units (parsed once: zod is the costly part of a run). */
function purchaseOrder(cargo = 1, arrive = 1, unitsA = 500): PurchaseOrder {
  const key = `${cargo}/${arrive}/${unitsA}`;
  let po = purchaseOrders.get(key);
  if (!po) {
    const sample = samplePurchaseOrder('PO-1', T0, {
      cargo_ready_date: dayAfter(T0, CARGO_READY_DAYS[cargo]!),
      must_arrive_date: dayAfter(T0, MUST_ARRIVE_DAYS[arrive]!),
    });
    sample.line_items = sample.line_items.map((line) => (line.item_key === 'A' ? { ...line, units: unitsA } : line)); // prettier-ignore
    po = PurchaseOrder.parse(sample);
    purchaseOrders.set(key, po);
  }
  return po;
}

/** Lets the command queue's promise continuations run, as the end of a workflow activation does. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs one scenario to quiescence; returns the violations found (none: the run is clean). */
export async function runScenario(scenario: Scenario): Promise<{ po: FlexportPo; violations: string[] }> {
  const po = new FlexportPo(purchaseOrder(), PoSettings.parse(scenario.settings), T0, scenario.adopted);
  await settle();
  for (const step of scenario.steps) {
    po.advance(HOUR_MS);
    take(po, step);
    await settle();
    po.tick();
    await settle();
    // Later violations are still collected (one can hide another), but a loop is stopped.
    if (po.commandsIssued > 20 + 4 * scenario.steps.length) {
      po.violate('commands grow without bound');
      return { po, violations: po.violations };
    }
  }
  await quiesce(po);
  return { po, violations: po.violations };
}

function take(po: FlexportPo, step: Step): void {
  const { provider } = po;
  switch (step.kind) {
    case 'amend':
      return po.amend(purchaseOrder(step.cargo, step.arrive, step.unitsA));
    case 'book':
      return po.book(step.partial ? { lines: [{ item_key: 'A', units: 200 }] } : {});
    case 'close':
      return po.close();
    case 'cancel':
      return po.cancel(step.reason);
    case 'answer':
      return po.answer(step.outcome);
    case 'deliver': {
      const events = provider.undelivered;
      if (events.length === 0) return;
      const at = step.pick % events.length;
      const event = step.again ? events[at]! : events.splice(at, 1)[0]!;
      return po.deliver(event);
    }
    case 'outside':
      po.newInput();
      switch (step.change) {
        case 'amend':
          return provider.amendOutside(dayAfter(T0, CARGO_READY_DAYS[step.cargo]!), dayAfter(T0, MUST_ARRIVE_DAYS[step.arrive]!)); // prettier-ignore
        case 'close':
        case 'cancel':
          return provider.endOutside(step.change === 'close' ? 'closed' : 'cancelled');
        case 'confirm_booking':
          return provider.confirmBooking();
        case 'deliver_shipment':
          return provider.deliverShipment();
      }
      return;
    case 'deadline':
      return po.deadline();
  }
}

/**
 * The provider answers everything in the end (outages are bounded) and every webhook arrives; no
 * deadline fires. Then the invariants that hold at rest.
 */
async function quiesce(po: FlexportPo): Promise<void> {
  for (let step = 0; ; step += 1) {
    if (step > 200)
      return po.violate('does not come to rest: commands keep coming with nothing new from anyone');
    po.tick();
    await settle();
    if (po.callInFlight) po.answer('accepted');
    else if (po.provider.undelivered.length > 0) po.deliver(po.provider.undelivered.shift()!);
    else if (!po.busy) break;
    po.advance(60_000);
    await settle();
  }
  checkAtRest(po);
}

function checkAtRest(po: FlexportPo): void {
  for (const violation of atRestViolations(po.state, po.provider, po.requests)) po.violate(violation);
  checkEndCause(po);
}

/**
 * The invariants that hold at rest, for the reducer's driver and the real workflow's alike: every
 * update settled and did what it said; poflow's view equals the provider's (status, dates, line
 * units, version, bookings) unless it needs attention; poflow's own writes are never recorded as
 * changes made at the provider.
 */
export function atRestViolations(
  state: PoState,
  provider: FlexportModel,
  requests: readonly { label: string; settled: boolean; refusal?: string }[],
): string[] {
  const violations: string[] = [];
  const violate = (message: string) => violations.push(message);
  for (const request of requests) {
    if (!request.settled) violate(`the ${request.label} request never settled`);
    // An update that answered "done" did what it said.
    const ended = { close: 'closed', cancel: 'cancelled' }[request.label];
    if (request.settled && !request.refusal && ended && state.status !== ended) violate(`the ${request.label} request answered done, but the PO is ${state.status}`); // prettier-ignore
  }
  const booked = requests.filter((r) => r.label === 'book' && r.settled && !r.refusal).length;
  if (booked > provider.bookings.length) violate(`${booked} book request(s) answered done, ${provider.bookings.length} booking(s) at the provider`); // prettier-ignore
  for (const entry of state.history) {
    if (entry.change !== 'amended at provider') continue;
    const version = provider.versionOfEvent.get(Number(/#(\d+)/.exec(entry.cause)?.[1]));
    const origin = version === undefined ? undefined : provider.versions[version - 1]?.origin;
    if (origin?.by === 'poflow') violate(`poflow's own ${origin.intent} (version ${version}) recorded as "${entry.cause}"`); // prettier-ignore
  }
  const body = provider.body;
  if (!body) {
    if (!['needs_attention', 'cancelled'].includes(state.status)) violate(`${state.status} while the provider has no PO`); // prettier-ignore
    return violations;
  }
  const expected = body.status === 'open' ? ['open', 'booked', 'needs_attention'] : [body.status];
  if (!expected.includes(state.status)) violate(`poflow says ${state.status}, the provider ${body.status}`);
  // A refused PO body is shown as needing attention: the only disagreement poflow may keep.
  if (state.status !== 'needs_attention') {
    for (const field of ['cargo_ready_date', 'must_arrive_date'] as const) {
      if ((state.po[field] ?? null) !== body[field]) violate(`${field}: poflow ${state.po[field]}, provider ${body[field]}`); // prettier-ignore
    }
    const units = Object.fromEntries(state.lines.map((line) => [line.itemKey, line.units]));
    if (JSON.stringify(units) !== JSON.stringify(body.units)) violate(`line units: poflow ${JSON.stringify(units)}, provider ${JSON.stringify(body.units)}`); // prettier-ignore
    if (state.providerVersion !== provider.version) violate(`version: poflow ${state.providerVersion}, provider ${provider.version}`); // prettier-ignore
  }
  const ids = (list: number[]) => JSON.stringify([...list].sort());
  const ours = ids(state.bookings.map((b) => b.providerId));
  const theirs = ids(provider.bookings.map((b) => b.id));
  if (ours !== theirs) violate(`bookings: poflow ${ours}, provider ${theirs}`);
  return violations;
}

/** The end names its true cause: who ended the PO (the reducer's driver knows what asked for each write). */
function checkEndCause(po: FlexportPo): void {
  const { state, provider } = po;
  const end = state.history.find((entry) => isTerminal(entry.to) && !isTerminal(entry.from));
  if (!end) return;
  const version = provider.endingVersion();
  const origin = version === undefined ? undefined : provider.versions[version - 1]!.origin;
  if (provider.alsoEndedBy.some((cause) => end.cause.includes(cause))) return;
  if (origin?.by === 'poflow' && origin.cause !== 'follow-up' && !end.cause.includes(origin.cause)) {
    po.violate(`${end.to} by "${origin.cause}" but its history says "${end.cause}"`);
  }
  if (origin?.by === 'outside' && !/provider event|fallback read/.test(end.cause)) {
    po.violate(`${end.to} in Flexport's UI but its history says "${end.cause}"`);
  }
}
