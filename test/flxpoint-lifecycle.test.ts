/**
 * The Flxpoint reducer on its own (no Temporal, no HTTP): operators' cancels racing Flxpoint's own
 * writes and status changes. Whatever comes in between, poflow ends where Flxpoint is.
 */
import {
  checkFlxpointCancel,
  reduceFlxpoint,
  startFlxpointLifecycle,
  type FlxpointEvent,
  type FlxpointPoSnapshot,
  type FlxpointPoState,
  type FlxpointReduced,
} from '../workflows/flxpoint/lifecycle';
import { PoSettings } from '../workflows/core/settings';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';

const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const ID = 4_100_007;

function started(cancelReadsFlxpoint = true): FlxpointPoState {
  const { state } = startFlxpointLifecycle(
    sampleFlxpointPurchaseOrder('FLX-1'),
    PoSettings.parse({ provider: 'flxpoint' }),
    at(0),
  );
  return { ...state, cancelReadsFlxpoint };
}

const snapshot = (handle: string, reasons: Partial<FlxpointPoSnapshot> = {}): FlxpointPoSnapshot => ({
  id: ID,
  purchaseOrderNumber: 'FLX-1',
  purchaseOrderStatus: { handle },
  ...reasons,
});

/** Applies events in order; returns the final state and every command along the way. */
function run(state: FlxpointPoState, ...events: FlxpointEvent[]): FlxpointReduced {
  const commands: FlxpointReduced['commands'] = [];
  for (const event of events) {
    const next = reduceFlxpoint(state, event);
    state = next.state;
    commands.push(...next.commands);
  }
  return { state, commands };
}

const created = (seconds: number, handle = 'unprocessed', adopted = false): FlxpointEvent => ({
  type: 'created',
  at: at(seconds),
  po: snapshot(handle),
  adopted,
});
const cancel = (seconds: number): FlxpointEvent => ({ type: 'cancel_requested', at: at(seconds), cause: 'operator' }); // prettier-ignore
const cancelRefused = (seconds: number): FlxpointEvent => ({
  type: 'refused',
  at: at(seconds),
  during: 'cancel',
  status: 409,
  message: 'Purchase order FLX-1 is voided',
});

describe('a cancel Flxpoint refuses is read back before it is reported', () => {
  test('voided at Flxpoint while the cancel was landing: the PO ends cancelled, no error', () => {
    const refused = run(started(), created(1), cancel(10), cancelRefused(20));
    expect(refused.commands).toEqual([
      { type: 'cancel', id: ID, reason: 'operator' },
      { type: 'read', id: ID },
    ]);
    expect(refused.state).toMatchObject({ status: 'open', pending: { intent: 'cancel' }, refusedCancel: { status: 409 } }); // prettier-ignore
    // Still being cancelled: a second cancel is refused as such, the poll waits.
    expect(checkFlxpointCancel(refused.state)).toBe('Purchase order FLX-1 is already being cancelled');
    expect(run(refused.state, { type: 'poll_due', at: at(21) }).commands).toEqual([]);

    const read = run(refused.state, { type: 'read', at: at(22), po: snapshot('voided', { voidedReason: 'out of stock' }), answering: 'poll' }); // prettier-ignore
    expect(read.commands).toEqual([]);
    expect(read.state).toMatchObject({
      status: 'cancelled',
      flxpointStatus: 'voided',
      statusReason: 'out of stock',
    });
    expect(read.state.pending).toBeUndefined();
    expect(read.state.refusedCancel).toBeUndefined();
    expect(read.state.lastError).toBeUndefined();
    expect(read.state.history.at(-1)?.cause).toBe('Flxpoint status voided: out of stock');
  });

  test('still live at Flxpoint: the refusal stands, with its reason, and polling goes on', () => {
    const { state } = run(started(), created(1), cancel(10), cancelRefused(20), {
      type: 'read',
      at: at(22),
      po: snapshot('processing'),
      answering: 'poll',
    });
    expect(state).toMatchObject({
      status: 'open',
      flxpointStatus: 'processing',
      lastError: { during: 'cancel', status: 409, message: 'Purchase order FLX-1 is voided' },
    });
    expect(state.pending).toBeUndefined();
    expect(state.history.at(-1)).toMatchObject({ change: 'cancel refused', cause: 'Flxpoint refused cancel (409): Purchase order FLX-1 is voided' }); // prettier-ignore
    expect(state.nextPoll?.at).toBe(at(82));
    expect(checkFlxpointCancel(state)).toBeUndefined();
  });

  test('the read-back itself refused: the PO needs attention, the cancel reports its own refusal', () => {
    const { state } = run(started(), created(1), cancel(10), cancelRefused(20), {
      type: 'refused',
      at: at(22),
      during: 'read',
      status: 404,
      message: 'Purchase order 4100007 not found',
    });
    expect(state).toMatchObject({ status: 'needs_attention', lastError: { during: 'cancel', status: 409 } });
    expect(state.pending).toBeUndefined();
    expect(state.refusedCancel).toBeUndefined();
    expect(state.history.at(-1)?.cause).toBe('Flxpoint refused read (404): Purchase order 4100007 not found');
    expect(state.nextPoll).toBeDefined();
  });

  test('POs started before the read-back report the refusal at once, as they ran', () => {
    const { state, commands } = run(started(false), created(1), cancel(10), cancelRefused(20));
    expect(commands).toEqual([{ type: 'cancel', id: ID, reason: 'operator' }]);
    expect(state).toMatchObject({ status: 'open', lastError: { during: 'cancel' } });
    expect(state.pending).toBeUndefined();
  });
});

describe('a cancel during the create', () => {
  test('is sent once Flxpoint has the PO', () => {
    const { state, commands } = run(started(), cancel(1), created(5));
    expect(commands).toEqual([{ type: 'cancel', id: ID, reason: 'operator' }]);
    expect(state).toMatchObject({ status: 'open', pending: { intent: 'cancel' } });
    expect(state.cancelAfterCreate).toBeUndefined();
  });

  test('follows a 409 through the read-back, and is not sent for a PO Flxpoint already voided', () => {
    const { state, commands } = run(started(), cancel(1), { type: 'number_in_use', at: at(2) }, created(3, 'voided', true)); // prettier-ignore
    expect(commands).toEqual([{ type: 'adopt', body: sampleFlxpointPurchaseOrder('FLX-1') }]);
    expect(state).toMatchObject({ status: 'cancelled', flxpointStatus: 'voided', providerId: ID });
    expect(state.pending).toBeUndefined();
    expect(state.cancelAfterCreate).toBeUndefined();
  });

  test('needs no call when Flxpoint refused the create', () => {
    const { state, commands } = run(started(), cancel(1), {
      type: 'refused',
      at: at(2),
      during: 'create',
      status: 400,
      message: 'orderId is required',
    });
    expect(commands).toEqual([]);
    expect(state).toMatchObject({ status: 'cancelled' });
    expect(state.history.at(-1)?.cause).toBe('operator');
  });
});
