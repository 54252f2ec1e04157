/**
 * The purchase-order lifecycle as a pure reducer: `reduce(state, event)` returns the next state
 * and the commands the workflow shell must carry out (provider calls, alerts). No Temporal, no IO,
 * no clock: every event carries its own time, so the same events always give the same state.
 */
import { isTerminal, transition } from '../core/status';
import { type PurchaseOrder } from './purchase-order';
import { type PoSettings } from '../core/settings';
import { planBooking } from './checks';
import {
  autoCloseCause,
  cargoReadyDeadline,
  fallbackRead,
  mustArriveDeadline,
  nextDeadlines,
} from './deadlines';
import { providerEvent, providerSnapshot, weighProviderCopy } from './events';
import type { BookingState, Command, LifecycleEvent, PoState, Reduced } from './state';
import {
  alert,
  answered,
  bookedUnits,
  deadlinePassed,
  flag,
  linesFor,
  oneMoreWrite,
  recordIgnored,
  stillWriting,
  withBooked,
} from './state';

/** A new PO: `submitting`, with its creation submitted to the provider. */
export function startLifecycle(po: PurchaseOrder, settings: PoSettings, at: string): Reduced {
  const state: PoState = {
    provider: settings.provider,
    name: po.name,
    po,
    settings,
    status: 'submitting',
    createdAt: at,
    acknowledged: false,
    bookingOverdue: false,
    late: false,
    milestones: {},
    lines: linesFor(po, []),
    bookings: [],
    shipments: [],
    pending: { intent: 'create', since: at, cause: 'submitted' },
    waitsForProviderCalls: true,
    writesInFlight: 1,
    history: [{ at, from: 'submitting', to: 'submitting', cause: 'submitted' }],
    seenEventIds: [],
    ignoredEvents: [],
  };
  return { state, commands: [{ type: 'submit', intent: 'create', body: { ...po, status: 'open' } }] };
}

export function reduce(state: PoState, event: LifecycleEvent): Reduced {
  if (isTerminal(state.status)) {
    // Nothing reopens a closed or cancelled PO; provider events are still recorded.
    if (event.type !== 'provider_event') return { state, commands: [] };
    return { state: recordIgnored(state, event.event, event.at, `PO already ${state.status}`), commands: [] };
  }
  switch (event.type) {
    case 'submission_accepted':
      return settled(submissionAccepted(answered(state), event), event.at);
    case 'provider_rejected':
      if (state.waitsForProviderCalls) return providerRejected(answered(state), event);
      return {
        state: transition(
          {
            ...state,
            pending: undefined,
            lastError: { at: event.at, status: event.status, message: event.message, during: event.during },
          },
          // A refused booking leaves the PO as it was; a refused PO body needs a person.
          event.during === 'book' ? state.status : 'needs_attention',
          event.at,
          `provider refused ${event.during} (${event.status}): ${event.message}`,
        ),
        commands: [],
      };
    case 'amend_requested':
      return amendRequested(state, event);
    case 'book_requested':
      return bookRequested(state, event);
    case 'booking_created':
      return settled(bookingCreated(answered(state), event), event.at);
    case 'close_requested':
      if (state.waitsForProviderCalls && (state.endRequested || state.pending?.intent === 'close')) {
        return { state, commands: [] }; // already on its way to an end
      }
      // A write still in flight could reopen the PO behind the close: the close waits for it.
      if (state.weighsOwnWrites && stillWriting(state))
        return { state: endAfterWrites(state, 'closed', event.at, event.cause), commands: [] };
      return sendEnd(state, 'closed', event.at, event.cause);
    case 'cancel_requested':
      if (state.waitsForProviderCalls) return cancelRequested(state, event.at, event.cause);
      if (state.providerId === undefined) {
        // Never accepted by the provider: nothing to cancel there.
        return {
          state: transition({ ...state, pending: undefined }, 'cancelled', event.at, event.cause),
          commands: [],
        };
      }
      return {
        state: { ...state, pending: { intent: 'cancel', since: event.at, cause: event.cause } },
        commands: [{ type: 'submit', intent: 'cancel', body: { ...state.po, status: 'cancelled' } }],
      };
    // An end the provider showed after poflow's write reopened the PO there is sent again at once.
    case 'provider_event': {
      const next = providerEvent(state, event.event, event.at);
      return state.weighsOwnWrites ? settled(next, event.at) : { state: next, commands: [] };
    }
    case 'provider_snapshot': {
      const next = providerSnapshot(state, event.snapshot, event.at);
      return state.weighsOwnWrites ? settled(next, event.at) : { state: next, commands: [] };
    }
    case 'deadline_reached':
      return deadlineReached(state, event.at);
  }
}

function submissionAccepted(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'submission_accepted' }>,
): PoState {
  if (state.weighsOwnWrites) state = providerHolds(state, event);
  const writing = stillWriting(state);
  const bodyAccepted =
    state.waitsForProviderCalls && !writing && (event.intent === 'create' || event.intent === 'amend');
  const accepted: PoState = {
    ...state,
    quietSince: event.at,
    providerId: event.providerId,
    providerVersion: state.weighsOwnWrites ? state.providerVersion : (event.version ?? state.providerVersion),
    pending: writing ? state.pending : undefined,
    acceptedPo: bodyAccepted && !state.weighsOwnWrites ? state.po : state.acceptedPo,
    lastError: undefined,
    lines: state.lines.map((line) => ({
      ...line,
      providerId: event.lineItemIds[line.itemKey] ?? line.providerId,
    })),
  };
  const cause =
    `provider accepted ${event.intent}` + (event.version === undefined ? '' : ` (version ${event.version})`);
  switch (event.intent) {
    case 'close':
      return transition(
        { ...accepted, endRequested: undefined },
        'closed',
        event.at,
        `${cause}; ${state.pending?.cause ?? 'closed'}`,
      );
    case 'cancel':
      return transition(
        { ...accepted, endRequested: undefined },
        'cancelled',
        event.at,
        `${cause}; ${state.pending?.cause ?? 'cancelled'}`,
      );
    default:
      return transition(accepted, accepted.bookings.length > 0 ? 'booked' : 'open', event.at, cause);
  }
}

/**
 * An accepted write: the provider now holds the body poflow sent, unless a newer version is known
 * already (a change made there after it). What it showed meanwhile, up to this version, was this
 * write's echo or is overwritten by it.
 */
function providerHolds(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'submission_accepted' }>,
): PoState {
  const { version, body } = event;
  const latest =
    version === undefined || state.providerVersion === undefined || version >= state.providerVersion;
  const copy = state.providerCopy;
  // An end this write overwrote stays, to be sent again once every write is answered (`weighProviderCopy`).
  const overwritten =
    copy?.status === 'open' && copy.version !== undefined && version !== undefined && copy.version <= version;
  const providerCopy = overwritten ? undefined : copy;
  const next: PoState = {
    ...state,
    providerCopy,
    providerVersion: latest ? (version ?? state.providerVersion) : state.providerVersion,
  };
  if (!latest || !body) return next;
  const po: PurchaseOrder = { ...body, status: state.po.status };
  const written: PoState = { ...next, po, writtenVersion: version, lines: linesFor(po, state.lines) };
  return event.intent === 'close' || event.intent === 'cancel'
    ? written
    : { ...written, acceptedPo: { ...body, status: 'open' } };
}

function amendRequested(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'amend_requested' }>,
): Reduced {
  const po: PurchaseOrder = { ...event.po, status: 'open' };
  const cause = event.by === undefined ? 'amended' : `amended by ${event.by}`;
  let next: PoState = {
    ...state,
    po,
    lines: linesFor(po, state.lines),
    pending: { intent: 'amend', since: event.at, cause },
    writesInFlight: oneMoreWrite(state),
  };
  // Moved dates re-arm their checks: a flag only stands while its date is behind us.
  if (next.bookingOverdue && !deadlinePassed(cargoReadyDeadline(next), event.at)) {
    next = flag(next, 'bookingOverdue', false, event.at, 'cargo-ready date moved by amendment');
  }
  if (next.late && !deadlinePassed(mustArriveDeadline(next), event.at)) {
    next = flag(next, 'late', false, event.at, 'must-arrive date moved by amendment');
  }
  // A PO the provider refused goes back to `submitting` until the amendment is accepted.
  if (state.status === 'needs_attention') next = transition(next, 'submitting', event.at, cause);
  return { state: next, commands: [{ type: 'submit', intent: 'amend', body: po }] };
}

/**
 * Once no write is in flight, an end that waited for them is sent, or taken where the provider
 * never had the PO.
 */
function settled(answeredState: PoState, at: string): Reduced {
  const state = answeredState.weighsOwnWrites ? weighProviderCopy(answeredState, at) : answeredState;
  const end = state.endRequested;
  if (!end || isTerminal(state.status) || stillWriting(state)) return { state, commands: [] };
  const next: PoState = { ...state, endRequested: undefined };
  if (next.providerId === undefined) {
    return { state: transition({ ...next, pending: undefined }, end.status, at, end.cause), commands: [] };
  }
  return sendEnd(next, end.status, at, end.cause);
}

/**
 * The PO sent again with a final status; the last body the provider accepted, so a refused
 * amendment can not block it.
 */
function sendEnd(state: PoState, status: 'cancelled' | 'closed', at: string, cause: string): Reduced {
  const intent = status === 'closed' ? 'close' : 'cancel';
  const waits = state.waitsForProviderCalls;
  const body: PurchaseOrder = { ...((waits && state.acceptedPo) || state.po), status };
  return {
    state: { ...state, pending: { intent, since: at, cause }, writesInFlight: oneMoreWrite(state) },
    commands: [{ type: 'submit', intent, body }],
  };
}

function cancelRequested(state: PoState, at: string, cause: string): Reduced {
  // A repeated cancel while one is on its way changes nothing.
  if (state.endRequested || state.pending?.intent === 'cancel') return { state, commands: [] };
  if (stillWriting(state)) return { state: endAfterWrites(state, 'cancelled', at, cause), commands: [] };
  // Never accepted by the provider and nothing on its way there: nothing to cancel there.
  if (state.providerId === undefined) {
    return { state: transition({ ...state, pending: undefined }, 'cancelled', at, cause), commands: [] };
  }
  return sendEnd(state, 'cancelled', at, cause);
}

/** An end asked for while writes are in flight: sent once they are answered (`settled`). */
function endAfterWrites(state: PoState, status: 'cancelled' | 'closed', at: string, cause: string): PoState {
  const waiting = `${cause}; waits for the ${state.pending?.intent ?? 'provider call'} in flight`;
  const endRequested = { status, since: at, cause, by: 'operator' as const };
  return transition(
    { ...state, endRequested },
    state.status,
    at,
    waiting,
    status === 'cancelled' ? 'cancel queued' : 'close queued',
  );
}

function providerRejected(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'provider_rejected' }>,
): Reduced {
  const lastError = { at: event.at, status: event.status, message: event.message, during: event.during };
  // Only a refused PO body needs a person; a refused booking, close or cancel leaves the PO as it was.
  const to = event.during === 'create' || event.during === 'amend' ? 'needs_attention' : state.status;
  const cause = `provider refused ${event.during} (${event.status}): ${event.message}`;
  const pending = stillWriting(state) ? state.pending : undefined;
  // A refused auto-close is not sent again: the PO asks for a person (an alert, a flag) instead.
  if (state.weighsOwnWrites && event.during === 'close' && state.pending?.cause.startsWith('auto-close')) {
    const refused = { ...state, pending, lastError, autoCloseRefused: lastError };
    return settled(
      transition(refused, to, event.at, `${cause}; auto-close stops: close it by hand`, 'auto-close refused'),
      event.at,
    );
  }
  return settled(
    transition(
      { ...state, pending, lastError },
      to,
      event.at,
      cause,
      to === state.status ? `${event.during} refused` : undefined,
    ),
    event.at,
  );
}

function bookRequested(state: PoState, event: Extract<LifecycleEvent, { type: 'book_requested' }>): Reduced {
  const planned = planBooking(state, event.booking);
  if ('refusal' in planned) {
    return {
      state: transition(
        state,
        state.status,
        event.at,
        `booking refused: ${planned.refusal}`,
        'booking refused',
      ),
      commands: [],
    };
  }
  const { plan } = planned;
  return {
    state: {
      ...state,
      pending: {
        intent: 'book',
        since: event.at,
        cause: `booking ${plan.name}${event.by === undefined ? '' : ` by ${event.by}`}`,
      },
      writesInFlight: oneMoreWrite(state),
    },
    commands: [{ type: 'book', plan }],
  };
}

function bookingCreated(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'booking_created' }>,
): PoState {
  const booking: BookingState = {
    name: event.name,
    providerId: event.providerId,
    status: event.status,
    shipmentId: event.shipmentId,
    lines: event.lines,
    createdAt: event.at,
  };
  const bookings = [...state.bookings.filter((b) => b.providerId !== booking.providerId), booking];
  const next: PoState = {
    ...state,
    pending: stillWriting(state) ? state.pending : undefined,
    lastError: undefined,
    bookings,
    lines: state.lines.map((line) => withBooked(line, bookedUnits(bookings, line.itemKey))),
  };
  const coverage = next.lines.map((l) => `${l.itemKey} ${l.booking}`).join(', ');
  return transition(next, 'booked', event.at, `booking ${event.name} created (${coverage})`);
}

function deadlineReached(state: PoState, at: string): Reduced {
  let next = state;
  const commands: Command[] = [];
  for (const deadline of nextDeadlines(state)) {
    if (!deadlinePassed(deadline.at, at)) continue;
    switch (deadline.kind) {
      case 'cargo_ready_check':
        next = flag(
          next,
          'bookingOverdue',
          true,
          at,
          `cargo-ready date ${state.po.cargo_ready_date} passed unbooked`,
        );
        commands.push(
          alert(
            next,
            'booking_overdue',
            at,
            `cargo was ready on ${state.po.cargo_ready_date} and nothing is booked`,
          ),
        );
        break;
      case 'must_arrive_check':
        next = flag(
          next,
          'late',
          true,
          at,
          `must-arrive date ${state.po.must_arrive_date} passed undelivered`,
        );
        commands.push(
          alert(
            next,
            'late',
            at,
            `had to arrive by ${state.po.must_arrive_date} and is not delivered in full`,
          ),
        );
        break;
      case 'auto_close': {
        const closing = reduce(next, { type: 'close_requested', at, cause: autoCloseCause(state) });
        next = closing.state;
        commands.push(...closing.commands);
        break;
      }
      case 'quiet_check':
        // The check re-arms from now, whatever the read brings back (or if it fails).
        next = { ...next, quietSince: at };
        commands.push({ type: 'read', read: fallbackRead(next) });
        break;
    }
  }
  return { state: next, commands };
}
