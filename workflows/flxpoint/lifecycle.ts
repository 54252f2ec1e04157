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
  /**
   * A cancel goes by what Flxpoint answers the call in flight: one asked for during the create or a
   * read keeps the cancel rule once that is answered (none is sent for a PO Flxpoint has sent to its
   * source), and one after a refused create reads the number back first (an earlier attempt of the
   * create may have got through). POs started before this replay without it: the shell sets it from
   * `patched`.
   */
  cancelChecksFlxpoint?: boolean;
  /** A refused create may have reached Flxpoint on an earlier attempt: a cancel looks the number up. */
  createMayHaveLanded?: boolean;
  /** A read of the status is in flight (set with `cancelChecksFlxpoint`). */
  reading?: string;
  /** A cancel asked for while a read was in flight: decided once Flxpoint has answered it. */
  cancelAfterRead?: string;
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
  /** The PO Flxpoint holds under this number for this order and source, if any (a cancel's look-up). */
  | { type: 'found'; at: string; po?: FlxpointPoSnapshot }
  | {
      type: 'refused';
      at: string;
      during: FlxpointCall;
      status: number;
      message: string;
      /**
       * A create refused on a retry, or its read-back after a 409: an earlier attempt may have got
       * through.
       */
      mayHaveLanded?: boolean;
    }
  /** A PO as Flxpoint answered it: to a poll, or to the cancel. */
  | { type: 'read'; at: string; po: FlxpointPoSnapshot; answering: 'poll' | 'cancel' }
  /** `by`: who asked (the HTTP API's token name); unset: an operator. */
  | { type: 'amend_requested'; at: string; po: FlxpointPurchaseOrder; by?: string }
  | { type: 'cancel_requested'; at: string; cause: string }
  | { type: 'poll_due'; at: string };

/** One command is one Flxpoint request, so the task queue's rate limit bounds the requests. */
export type FlxpointCommand =
  | { type: 'create'; body: FlxpointPurchaseOrder }
  /** The read-back after a 409: the PO that already holds the number. */
  | { type: 'adopt'; body: FlxpointPurchaseOrder }
  | { type: 'read'; id: number }
  /** Before cancelling a PO whose create Flxpoint refused: does Flxpoint hold one under its number? */
  | { type: 'find'; body: FlxpointPurchaseOrder }
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
        state: {
          ...state,
          pending: {
            intent: 'create',
            since: event.at,
            cause: 'PO number already in use at Flxpoint: reading it back',
          },
        },
        commands: [{ type: 'adopt', body: state.po }],
      };
    case 'refused':
      return refused(state, event);
    case 'found':
      return found(state, event);
    case 'read': {
      if (state.refusedCancel) return readAfterRefusedCancel(state, state.refusedCancel, event);
      if (state.cancelAfterRead !== undefined && event.answering === 'poll') {
        const read = fold(
          {
            ...state,
            pending: undefined,
            reading: undefined,
            cancelAfterRead: undefined,
            lastError: undefined,
          },
          event.po,
          event.at,
        );
        const next = withNextPoll(read, event.at, read.flxpointStatus !== state.flxpointStatus);
        return cancelAnswered(next, event.at, state.cancelAfterRead);
      }
      const pending = event.answering === 'cancel' ? undefined : state.pending;
      const next = fold({ ...state, pending, reading: undefined, lastError: undefined }, event.po, event.at);
      return {
        state: withNextPoll(next, event.at, next.flxpointStatus !== state.flxpointStatus),
        commands: [],
      };
    }
    case 'amend_requested': {
      const cause = event.by === undefined ? 'amended' : `amended by ${event.by}`;
      return {
        state: transition(
          { ...state, po: event.po, pending: { intent: 'create', since: event.at, cause } },
          'submitting',
          event.at,
          cause,
        ),
        commands: [{ type: 'create', body: event.po }],
      };
    }
    case 'cancel_requested':
      return cancelRequested(state, event.at, event.cause);
    case 'poll_due':
      // The schedule stays: the read's answer moves it on, doubling from where it was.
      if (state.providerId === undefined || state.pending) return { state, commands: [] };
      return {
        state: state.cancelChecksFlxpoint ? { ...state, reading: event.at } : state,
        commands: [{ type: 'read', id: state.providerId }],
      };
  }
}

function created(
  state: FlxpointPoState,
  event: Extract<FlxpointEvent, { type: 'created' }>,
): FlxpointReduced {
  const had = `Flxpoint ${event.adopted ? 'already had' : 'accepted'} the PO as ${event.po.id}`;
  // A PO Flxpoint holds as anything but live (voided, needing attention) is so for Flxpoint's reason.
  const mapped = flxpointLifecycle(event.po);
  const cause =
    mapped.status === 'open'
      ? had
      : `Flxpoint status ${event.po.purchaseOrderStatus.handle}` +
        (mapped.reason ? `: ${mapped.reason}` : '') +
        ` (${had})`;
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
  if (next.cancelChecksFlxpoint)
    return cancelAnswered({ ...next, cancelAfterCreate: undefined }, event.at, next.cancelAfterCreate);
  return cancelRequested({ ...next, cancelAfterCreate: undefined }, event.at, next.cancelAfterCreate);
}

/**
 * A cancel that waited for Flxpoint's answer to the call in flight (the create, a read): none is
 * needed for a PO Flxpoint has ended, none is sent for one it has sent to the source (the rule the
 * validator keeps), and otherwise it goes.
 */
function cancelAnswered(state: FlxpointPoState, at: string, cause: string): FlxpointReduced {
  if (isTerminal(state.status)) return { state, commands: [] };
  const refusal = sentToSource(state);
  if (refusal) {
    const lastError = { at, status: 409, message: refusal, during: 'cancel' as const };
    return {
      state: transition({ ...state, lastError }, state.status, at, refusal, 'cancel refused'),
      commands: [],
    };
  }
  return cancelRequested(state, at, cause);
}

/**
 * The number read back before cancelling a PO whose create Flxpoint refused: an earlier attempt
 * that got through (its answer lost, the retry refused) left a PO there, which is cancelled as any
 * other; none (or another order's) and there is nothing at Flxpoint to cancel.
 */
function found(state: FlxpointPoState, event: Extract<FlxpointEvent, { type: 'found' }>): FlxpointReduced {
  const cause = state.cancelAfterCreate ?? state.pending?.cause ?? 'cancelled';
  const next = { ...state, pending: undefined, cancelAfterCreate: undefined };
  if (!event.po) return { state: transition(next, 'cancelled', event.at, cause), commands: [] };
  const accepted = { type: 'created' as const, at: event.at, po: event.po, adopted: true };
  return created({ ...next, cancelAfterCreate: cause }, accepted);
}

function refused(
  state: FlxpointPoState,
  event: Extract<FlxpointEvent, { type: 'refused' }>,
): FlxpointReduced {
  const lastError = { at: event.at, status: event.status, message: event.message, during: event.during };
  const cause = refusalCause(event.during, event);
  const landed =
    state.cancelChecksFlxpoint &&
    event.during === 'create' &&
    (event.mayHaveLanded || state.createMayHaveLanded);
  const next = landed ? { ...state, lastError, createMayHaveLanded: true } : { ...state, lastError };
  switch (event.during) {
    case 'create':
      // An earlier attempt may have got through: the cancel looks the number up first.
      if (state.cancelAfterCreate !== undefined && next.createMayHaveLanded) {
        const looking = {
          ...next,
          pending: { intent: 'cancel' as const, since: event.at, cause: state.cancelAfterCreate },
        };
        return {
          state: transition(looking, 'needs_attention', event.at, cause),
          commands: [{ type: 'find', body: state.po }],
        };
      }
      // Nothing reached Flxpoint: a cancel asked for meanwhile needs no call.
      if (state.cancelAfterCreate !== undefined) {
        return {
          state: transition(
            { ...next, pending: undefined, cancelAfterCreate: undefined },
            'cancelled',
            event.at,
            state.cancelAfterCreate,
          ),
          commands: [],
        };
      }
      return {
        state: transition({ ...next, pending: undefined }, 'needs_attention', event.at, cause),
        commands: [],
      };
    case 'cancel':
      if (state.cancelReadsFlxpoint && state.providerId !== undefined) {
        const refusedCancel = { at: event.at, status: event.status, message: event.message };
        const pending = {
          intent: 'cancel' as const,
          since: event.at,
          cause: `${cause}: reading the PO back`,
        };
        return {
          state: { ...next, refusedCancel, pending },
          commands: [{ type: 'read', id: state.providerId }],
        };
      }
      // The PO stays as Flxpoint has it; polling shows where it went.
      return {
        state: transition({ ...next, pending: undefined }, state.status, event.at, cause, 'cancel refused'),
        commands: [],
      };
    case 'read': {
      if (state.providerId === undefined) {
        // The cancel's look-up of the number: without it the cancel cannot tell what Flxpoint holds.
        const lastError = { ...next.lastError, during: 'cancel' as const };
        const reported = { ...next, lastError, pending: undefined, cancelAfterCreate: undefined };
        return {
          state: transition(
            reported,
            state.status,
            event.at,
            `${cause}: the cancel could not look the PO up`,
            'cancel refused',
          ),
          commands: [],
        };
      }
      // E.g. the PO is gone (404) or the token was revoked (401): a person must look; polling goes on.
      // A read-back after a refused cancel reports the cancel's refusal, and the read's in the history.
      const reported = state.refusedCancel
        ? {
            ...next,
            pending: undefined,
            refusedCancel: undefined,
            lastError: { ...state.refusedCancel, during: 'cancel' as const },
          }
        : {
            ...next,
            reading: undefined,
            cancelAfterRead: undefined,
            pending: state.cancelAfterRead === undefined ? next.pending : undefined,
          };
      const attention = withNextPoll(
        transition(reported, 'needs_attention', event.at, cause),
        event.at,
        false,
      );
      // A cancel that waited for this read goes by the status read before.
      if (state.cancelAfterRead !== undefined)
        return cancelAnswered(attention, event.at, state.cancelAfterRead);
      return { state: attention, commands: [] };
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
  const read = fold(
    { ...state, pending: undefined, refusedCancel: undefined, lastError: undefined },
    event.po,
    event.at,
  );
  const changed = read.flxpointStatus !== state.flxpointStatus;
  if (isTerminal(read.status)) return { state: withNextPoll(read, event.at, changed), commands: [] };
  const lastError = { ...refusal, during: 'cancel' as const };
  const cause = refusalCause('cancel', refusal);
  const reported = transition({ ...read, lastError }, read.status, event.at, cause, 'cancel refused');
  return { state: withNextPoll(reported, event.at, changed), commands: [] };
}

function cancelRequested(state: FlxpointPoState, at: string, cause: string): FlxpointReduced {
  // A read in flight may show the PO sent to the source or ended: the cancel waits for its answer.
  if (state.reading !== undefined && state.providerId !== undefined) {
    return {
      state: { ...state, cancelAfterRead: cause, pending: { intent: 'cancel', since: at, cause } },
      commands: [],
    };
  }
  if (state.providerId !== undefined) {
    return {
      state: { ...state, pending: { intent: 'cancel', since: at, cause } },
      commands: [{ type: 'cancel', id: state.providerId, reason: cause }],
    };
  }
  if (state.pending?.intent === 'create') {
    return {
      state: transition({ ...state, cancelAfterCreate: cause }, state.status, at, cause, 'cancel requested'),
      commands: [],
    };
  }
  // Refused at creation after an attempt that may have got through: Flxpoint is asked first.
  if (state.cancelChecksFlxpoint && state.createMayHaveLanded) {
    return {
      state: { ...state, pending: { intent: 'cancel', since: at, cause } },
      commands: [{ type: 'find', body: state.po }],
    };
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
  // At the end nothing is waited for any more: a cancel in flight has its answer in Flxpoint's.
  if (isTerminal(mapped.status)) next = { ...next, pending: undefined };
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
  const sent = sentToSource(state);
  if (sent) return sent;
  if (state.pending?.intent === 'cancel' || state.cancelAfterCreate !== undefined) {
    return `Purchase order ${state.name} is already being cancelled`;
  }
  return undefined;
}

function sentToSource(state: FlxpointPoState): string | undefined {
  if (!state.flxpointStatus || !SENT_TO_SOURCE.includes(state.flxpointStatus)) return undefined;
  return (
    `Purchase order ${state.name} may not be cancelled since Flxpoint has sent it to the source ` +
    `(it is ${state.flxpointStatus})`
  );
}

export function checkFlxpointAmend(state: FlxpointPoState, po: FlxpointPurchaseOrder): string | undefined {
  if (isTerminal(state.status)) return `Purchase order ${state.name} is already ${state.status}`;
  if (state.providerId !== undefined || state.status !== 'needs_attention') {
    return (
      `Purchase order ${state.name} can only be amended after Flxpoint refused it: ` +
      "Flxpoint's API has no update (cancel it and submit a new PO number)"
    );
  }
  if (state.pending?.intent === 'cancel') return `Purchase order ${state.name} is being cancelled`;
  if (po.purchaseOrderNumber !== state.name) {
    return `purchaseOrderNumber can not change: this is purchase order ${state.name}`;
  }
  return undefined;
}
