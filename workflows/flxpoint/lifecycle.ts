/**
 * A Flxpoint purchase order's lifecycle as a pure reducer, the Flxpoint counterpart of
 * `lifecycle.ts`: `reduceFlxpoint(state, event)` gives the next state and the Flxpoint calls to
 * make. Flxpoint pushes nothing, so its statuses arrive by polling, folded in through
 * `flxpoint-status.ts`. It shares the lifecycle's statuses and history, not its Flexport rules
 * (bookings, milestones, deadlines). No Temporal, no IO, no clock.
 */
import type { AdoptionRecord } from '../core/adoption';
import type { FlxpointPurchaseOrder } from './purchase-order';
import { flxpointLifecycle, isTerminalFlxpointStatus, type FlxpointStatusSource } from './status';
import { isTerminal, transition, type HistoryEntry, type PoStatus } from '../core/status';
import { PollSchedule, type PoSettings } from '../core/settings';

/** The fields of a Flxpoint PO the workflow keeps: its id, number and status with reasons. */
export interface FlxpointPoSnapshot extends FlxpointStatusSource {
  id: number;
  purchaseOrderNumber: string;
}

export type FlxpointCall = 'create' | 'cancel' | 'read';

export interface FlxpointPoState {
  provider: 'flxpoint';
  /** The PO number: the PO's name and its workflow id. */
  name: string;
  /** The create request as submitted (or as last amended after a refusal). */
  po: FlxpointPurchaseOrder;
  poll: PollSchedule;
  status: PoStatus;
  createdAt: string;
  acknowledged: boolean;
  providerId?: number;
  /** Flxpoint's own status handle as last read, e.g. `processing`. */
  flxpointStatus?: string;
  /** Flxpoint's reason for the current status (needs attention, cancelled), when there is one. */
  statusReason?: string;
  /** The Flxpoint write in flight, so an operator sees what the PO is waiting for. */
  pending?: { intent: 'create' | 'cancel'; since: string; cause: string };
  /** A cancel asked for while the create was in flight: sent once Flxpoint has the PO. */
  cancelAfterCreate?: string;
  /**
   * A cancel goes by the PO as Flxpoint has it: none is sent for a PO Flxpoint has already ended,
   * and a refused one is read back before it is reported, since the PO may have ended there
   * meanwhile (voided at Flxpoint, or a retried cancel whose first try got through). POs started
   * before this replay without it: the shell sets it from `patched`.
   */
  cancelReadsFlxpoint?: boolean;
  /** The cancel Flxpoint refused, held while the PO is read back. */
  refusedCancel?: { at: string; status: number; message: string };
  lastError?: { at: string; status: number; message: string; during: FlxpointCall };
  /** When the status is read next, and how long the wait after an unchanged read will be. */
  nextPoll?: { at: string; afterMs: number };
  history: HistoryEntry[];
  /** Set when poflow adopted a PO made at Flxpoint (its UI, another integration) instead of creating it. */
  adopted?: AdoptionRecord;
}

export type FlxpointEvent =
  | { type: 'created'; at: string; po: FlxpointPoSnapshot; adopted: boolean }
  | { type: 'number_in_use'; at: string }
  | { type: 'refused'; at: string; during: FlxpointCall; status: number; message: string }
  /** A PO as Flxpoint answered it: to a poll, or to the cancel. */
  | { type: 'read'; at: string; po: FlxpointPoSnapshot; answering: 'poll' | 'cancel' }
  | { type: 'amend_requested'; at: string; po: FlxpointPurchaseOrder }
  | { type: 'cancel_requested'; at: string; cause: string }
  | { type: 'poll_due'; at: string };

/** One command is one Flxpoint request, so the task queue's rate limit bounds the requests. */
export type FlxpointCommand =
  | { type: 'create'; body: FlxpointPurchaseOrder }
  /** The read-back after a 409: the PO that already holds the number. */
  | { type: 'adopt'; body: FlxpointPurchaseOrder }
  | { type: 'read'; id: number }
  | { type: 'cancel'; id: number; reason: string };

export interface FlxpointReduced {
  state: FlxpointPoState;
  commands: FlxpointCommand[];
}

/**
 * Once Flxpoint has sent the PO to its source (or fulfils it through another document), cancelling
 * it is the source's business: poflow cancels only before that.
 */
const SENT_TO_SOURCE: readonly string[] = ['processed', 'acknowledged', 'cross_docked', 'transferred'];

export function startFlxpointLifecycle(
  po: FlxpointPurchaseOrder,
  settings: PoSettings,
  at: string,
): FlxpointReduced {
  const state: FlxpointPoState = {
    provider: 'flxpoint',
    name: po.purchaseOrderNumber,
    po,
    poll: settings.poll ?? PollSchedule.parse({}),
    status: 'submitting',
    createdAt: at,
    acknowledged: false,
    pending: { intent: 'create', since: at, cause: 'submitted' },
    history: [{ at, from: 'submitting', to: 'submitting', cause: 'submitted' }],
  };
  return { state, commands: [{ type: 'create', body: po }] };
}

export function reduceFlxpoint(state: FlxpointPoState, event: FlxpointEvent): FlxpointReduced {
  if (isTerminal(state.status)) return { state, commands: [] };
  switch (event.type) {
    case 'created':
      return created(state, event);
    case 'number_in_use':
      return {
        state: { ...state, pending: { intent: 'create', since: event.at, cause: 'PO number already in use at Flxpoint: reading it back' } }, // prettier-ignore
        commands: [{ type: 'adopt', body: state.po }],
      };
    case 'refused':
      return refused(state, event);
    case 'read': {
      if (state.refusedCancel) return readAfterRefusedCancel(state, state.refusedCancel, event);
      const pending = event.answering === 'cancel' ? undefined : state.pending;
      const next = fold({ ...state, pending, lastError: undefined }, event.po, event.at);
      return {
        state: withNextPoll(next, event.at, next.flxpointStatus !== state.flxpointStatus),
        commands: [],
      };
    }
    case 'amend_requested':
      return {
        state: transition(
          { ...state, po: event.po, pending: { intent: 'create', since: event.at, cause: 'amended' } },
          'submitting',
          event.at,
          'amended',
        ),
        commands: [{ type: 'create', body: event.po }],
      };
    case 'cancel_requested':
      return cancelRequested(state, event.at, event.cause);
    case 'poll_due':
      // The schedule stays: the read's answer moves it on, doubling from where it was.
      if (state.providerId === undefined || state.pending) return { state, commands: [] };
      return { state, commands: [{ type: 'read', id: state.providerId }] };
  }
}

function created(
  state: FlxpointPoState,
  event: Extract<FlxpointEvent, { type: 'created' }>,
): FlxpointReduced {
  const cause = `Flxpoint ${event.adopted ? 'already had' : 'accepted'} the PO as ${event.po.id}`;
  const accepted = fold(
    { ...state, providerId: event.po.id, pending: undefined, lastError: undefined },
    event.po,
    event.at,
    cause,
  );
  const next = withNextPoll(accepted, event.at, true);
  if (next.cancelAfterCreate === undefined) return { state: next, commands: [] };
  // Adopted already voided or canceled at Flxpoint: there is nothing left to cancel.
  if (next.cancelReadsFlxpoint && isTerminal(next.status)) {
    return { state: { ...next, cancelAfterCreate: undefined }, commands: [] };
  }
  return cancelRequested({ ...next, cancelAfterCreate: undefined }, event.at, next.cancelAfterCreate);
}

function refused(
  state: FlxpointPoState,
  event: Extract<FlxpointEvent, { type: 'refused' }>,
): FlxpointReduced {
  const lastError = { at: event.at, status: event.status, message: event.message, during: event.during };
  const cause = refusalCause(event.during, event);
  const next = { ...state, lastError };
  switch (event.during) {
    case 'create':
      // Nothing reached Flxpoint: a cancel asked for meanwhile needs no call.
      if (state.cancelAfterCreate !== undefined) {
        return { state: transition({ ...next, pending: undefined, cancelAfterCreate: undefined }, 'cancelled', event.at, state.cancelAfterCreate), commands: [] }; // prettier-ignore
      }
      return { state: transition({ ...next, pending: undefined }, 'needs_attention', event.at, cause), commands: [] }; // prettier-ignore
    case 'cancel':
      if (state.cancelReadsFlxpoint && state.providerId !== undefined) {
        const refusedCancel = { at: event.at, status: event.status, message: event.message };
        const pending = { intent: 'cancel' as const, since: event.at, cause: `${cause}: reading the PO back` };
        return { state: { ...next, refusedCancel, pending }, commands: [{ type: 'read', id: state.providerId }] }; // prettier-ignore
      }
      // The PO stays as Flxpoint has it; polling shows where it went.
      return { state: transition({ ...next, pending: undefined }, state.status, event.at, cause, 'cancel refused'), commands: [] }; // prettier-ignore
    case 'read': {
      // E.g. the PO is gone (404) or the token was revoked (401): a person must look; polling goes on.
      // A read-back after a refused cancel reports the cancel's refusal, and the read's in the history.
      const reported = state.refusedCancel
        ? { ...next, pending: undefined, refusedCancel: undefined, lastError: { ...state.refusedCancel, during: 'cancel' as const } } // prettier-ignore
        : next;
      return { state: withNextPoll(transition(reported, 'needs_attention', event.at, cause), event.at, false), commands: [] }; // prettier-ignore
    }
  }
}

function refusalCause(
  during: FlxpointCall,
  { status, message }: { status: number; message: string },
): string {
  return `Flxpoint refused ${during} (${status}): ${message}`;
}

/**
 * The PO read back after Flxpoint refused the cancel: if Flxpoint ended it meanwhile, poflow ends
 * it too and the cancel has its answer; otherwise the refusal stands and is reported.
 */
function readAfterRefusedCancel(
  state: FlxpointPoState,
  refusal: NonNullable<FlxpointPoState['refusedCancel']>,
  event: Extract<FlxpointEvent, { type: 'read' }>,
): FlxpointReduced {
  const read = fold({ ...state, pending: undefined, refusedCancel: undefined, lastError: undefined }, event.po, event.at); // prettier-ignore
  const changed = read.flxpointStatus !== state.flxpointStatus;
  if (isTerminal(read.status)) return { state: withNextPoll(read, event.at, changed), commands: [] };
  const lastError = { ...refusal, during: 'cancel' as const };
  const cause = refusalCause('cancel', refusal);
  const reported = transition({ ...read, lastError }, read.status, event.at, cause, 'cancel refused');
  return { state: withNextPoll(reported, event.at, changed), commands: [] };
}

function cancelRequested(state: FlxpointPoState, at: string, cause: string): FlxpointReduced {
  if (state.providerId !== undefined) {
    return {
      state: { ...state, pending: { intent: 'cancel', since: at, cause } },
      commands: [{ type: 'cancel', id: state.providerId, reason: cause }],
    };
  }
  if (state.pending?.intent === 'create') {
    return { state: transition({ ...state, cancelAfterCreate: cause }, state.status, at, cause, 'cancel requested'), commands: [] }; // prettier-ignore
  }
  // Refused at creation: nothing at Flxpoint to cancel.
  return { state: transition(state, 'cancelled', at, cause), commands: [] };
}

/** Folds Flxpoint's status in: the lifecycle status, the acknowledged flag, and the handle itself. */
function fold(state: FlxpointPoState, po: FlxpointPoSnapshot, at: string, cause?: string): FlxpointPoState {
  const handle = po.purchaseOrderStatus.handle;
  const mapped = flxpointLifecycle(po);
  const because = cause ?? `Flxpoint status ${handle}${mapped.reason ? `: ${mapped.reason}` : ''}`;
  let next: FlxpointPoState = { ...state, flxpointStatus: handle, statusReason: mapped.reason };
  if (mapped.acknowledged && !state.acknowledged) {
    next = transition({ ...next, acknowledged: true }, next.status, at, because, 'acknowledged');
  }
  if (mapped.status !== next.status) return transition(next, mapped.status, at, because);
  if (handle !== state.flxpointStatus && !mapped.acknowledged) {
    return transition(next, next.status, at, because, `Flxpoint ${handle}`);
  }
  return next;
}

/** Back to the first interval after a change, doubling up to the maximum while nothing changes. */
export function withNextPoll(state: FlxpointPoState, at: string, changed: boolean): FlxpointPoState {
  if (isTerminal(state.status) || (state.flxpointStatus && isTerminalFlxpointStatus(state.flxpointStatus))) {
    return { ...state, nextPoll: undefined };
  }
  const firstMs = state.poll.firstSeconds * 1000;
  const previousMs = state.nextPoll?.afterMs ?? firstMs;
  const waitMs = changed ? firstMs : Math.min(previousMs, state.poll.maxSeconds * 1000);
  return {
    ...state,
    nextPoll: {
      at: new Date(Date.parse(at) + waitMs).toISOString(),
      afterMs: Math.min(waitMs * 2, state.poll.maxSeconds * 1000),
    },
  };
}

/** When the shell should read the status next: never while a write is in flight or at the end. */
export function nextPollAt(state: FlxpointPoState): string | undefined {
  return state.pending || isTerminal(state.status) ? undefined : state.nextPoll?.at;
}

// ---- validators: a reason string refuses the request, undefined lets it through ----

export function checkFlxpointCancel(state: FlxpointPoState): string | undefined {
  if (isTerminal(state.status)) return `Purchase order ${state.name} is already ${state.status}`;
  if (state.flxpointStatus && SENT_TO_SOURCE.includes(state.flxpointStatus)) {
    return `Purchase order ${state.name} may not be cancelled since Flxpoint has sent it to the source (it is ${state.flxpointStatus})`; // prettier-ignore
  }
  if (state.pending?.intent === 'cancel' || state.cancelAfterCreate !== undefined) {
    return `Purchase order ${state.name} is already being cancelled`;
  }
  return undefined;
}

export function checkFlxpointAmend(state: FlxpointPoState, po: FlxpointPurchaseOrder): string | undefined {
  if (isTerminal(state.status)) return `Purchase order ${state.name} is already ${state.status}`;
  if (state.providerId !== undefined || state.status !== 'needs_attention') {
    return `Purchase order ${state.name} can only be amended after Flxpoint refused it: Flxpoint's API has no update (cancel it and submit a new PO number)`; // prettier-ignore
  }
  if (po.purchaseOrderNumber !== state.name) {
    return `purchaseOrderNumber can not change: this is purchase order ${state.name}`;
  }
  return undefined;
}
