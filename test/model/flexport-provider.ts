/**
 * A small model of Flexport as one PO sees it: the create-or-update endpoint (full replacement,
 * a new version only when something changed, the documented 422 rules), bookings, the events each
 * change emits, and changes people make in Flexport's own UI. Each version remembers who made it,
 * so the model-based test can tell a PO's true causes from the ones poflow records.
 */
import type { ProviderEvent } from '../../workflows/flexport/provider-event';
import type { PurchaseOrder } from '../../workflows/flexport/purchase-order';
import type { BookingPlan, ProviderSnapshot, SubmissionIntent } from '../../workflows/flexport/state';

export type ProviderStatus = 'open' | 'closed' | 'cancelled';

/** What the model keeps of a PO body: what the lifecycle and the invariants look at. */
export interface ModelBody {
  status: ProviderStatus;
  cargo_ready_date: string | null;
  must_arrive_date: string | null;
  units: Record<string, number>;
}

/** Who made a version: poflow (which request) or someone in Flexport's UI. */
export type Origin =
  { by: 'poflow'; intent: SubmissionIntent; cause: string } | { by: 'outside'; change: string };

export interface ModelBooking {
  id: number;
  name: string;
  lines: { itemKey: string; units: number }[];
  shipmentId?: number;
  delivered?: string;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

const PO_ID = 171001;

export class FlexportModel {
  body?: ModelBody;
  versions: { body: ModelBody; origin: Origin }[] = [];
  readonly bookings: ModelBooking[] = [];
  /** The causes of poflow's ends that found the PO ended so already. */
  readonly alsoEndedBy: string[] = [];
  /** Events emitted and not delivered yet, oldest first. */
  readonly undelivered: ProviderEvent[] = [];
  /** Which version each PO event reports. */
  readonly versionOfEvent = new Map<number, number>();
  private eventId = 9000;
  private bookingId = 82000;
  private shipmentId = 1250000;
  private readonly lineItemIds: Record<string, number> = {};

  constructor(private readonly clock: () => string) {}

  get version(): number {
    return this.versions.length;
  }

  /** The create-or-update endpoint, as the sandbox answers it. */
  write(
    po: PurchaseOrder,
    intent: SubmissionIntent,
    cause: string,
  ): Answer<{ providerId: number; version: number; lineItemIds: Record<string, number> }> {
    const body = bodyOf(po);
    const current = this.body;
    if (current) {
      for (const [itemKey, booked] of Object.entries(this.bookedUnits())) {
        if (booked === 0) continue;
        const units = body.units[itemKey];
        if (units === undefined) return refused('Cannot remove line items that have been booked');
        if (units < booked) return refused('Cannot update a line item to request fewer units than have already been booked'); // prettier-ignore
      }
      const booked = Object.values(this.bookedUnits()).some((units) => units > 0);
      if (body.status === 'cancelled' && current.status !== 'cancelled' && booked) {
        return refused(`Purchase order ${po.name} may not be cancelled since it has an active booking`);
      }
    }
    for (const itemKey of Object.keys(body.units)) this.lineItemIds[itemKey] ??= 5137001 + Object.keys(this.lineItemIds).length; // prettier-ignore
    // An end sent to a PO that has ended so already: poflow's request is one of its causes too.
    if (current && body.status !== 'open' && current.status === body.status) this.alsoEndedBy.push(cause);
    // Re-sending the current PO changes nothing: no version, no event.
    if (!current || !sameBody(current, body)) this.change(body, { by: 'poflow', intent, cause });
    return {
      ok: true,
      value: { providerId: PO_ID, version: this.version, lineItemIds: { ...this.lineItemIds } },
    };
  }

  book(plan: BookingPlan): Answer<{
    name: string;
    providerId: number;
    status: string;
    lines: { itemKey: string; units: number }[];
  }> {
    // The activity finds a booking it made before by name (a retry after a lost answer).
    const made = this.bookings.find((b) => b.name === plan.name);
    if (made) return { ok: true, value: { name: made.name, providerId: made.id, status: 'submitted', lines: made.lines } }; // prettier-ignore
    if (this.body?.status !== 'open') return refused('Purchase order is not open');
    const booked = this.bookedUnits();
    for (const line of plan.lines) {
      const left = (this.body.units[line.itemKey] ?? 0) - (booked[line.itemKey] ?? 0);
      if (line.units > left) return refused(`line item ${line.itemKey} has ${left} units left to book`);
    }
    const booking: ModelBooking = { id: ++this.bookingId, name: plan.name, lines: plan.lines.map(({ itemKey, units }) => ({ itemKey, units })) }; // prettier-ignore
    this.bookings.push(booking);
    return { ok: true, value: { name: booking.name, providerId: booking.id, status: 'submitted', lines: booking.lines } }; // prettier-ignore
  }

  /** Someone changes the PO's dates in Flexport's UI. */
  amendOutside(cargoReadyDate: string, mustArriveDate: string): void {
    if (!this.body || this.body.status !== 'open') return;
    const body = { ...this.body, cargo_ready_date: cargoReadyDate, must_arrive_date: mustArriveDate };
    if (!sameBody(body, this.body)) this.change(body, { by: 'outside', change: 'dates' });
  }

  /** Someone closes or cancels the PO in Flexport's UI. */
  endOutside(status: 'closed' | 'cancelled'): void {
    if (!this.body || this.body.status !== 'open') return;
    if (status === 'cancelled' && Object.values(this.bookedUnits()).some((units) => units > 0)) return;
    this.change({ ...this.body, status }, { by: 'outside', change: status });
  }

  /** The carrier confirms a booking: it gets a shipment. */
  confirmBooking(): void {
    const booking = this.bookings.find((b) => b.shipmentId === undefined);
    if (!booking) return;
    booking.shipmentId = ++this.shipmentId;
    this.emit('/shipment#booking_confirmed', {
      booking: { id: booking.id },
      shipment: { id: booking.shipmentId },
    });
  }

  /** A shipment is delivered in full. */
  deliverShipment(): void {
    const booking = this.bookings.find((b) => b.shipmentId !== undefined && !b.delivered);
    if (!booking) return;
    booking.delivered = this.clock();
    this.emit('/shipment#delivered_in_full', { shipment: { id: booking.shipmentId } });
  }

  snapshot(): ProviderSnapshot {
    const body = this.body!;
    return {
      status: body.status,
      version: this.version,
      cargoReadyDate: body.cargo_ready_date,
      mustArriveDate: body.must_arrive_date,
      bookings: this.bookings.map((b) => ({ providerId: b.id, status: b.shipmentId ? 'booked' : 'submitted', shipmentId: b.shipmentId })), // prettier-ignore
      shipments: this.bookings.flatMap(
        (b) =>
        b.shipmentId === undefined ? [] : [{ id: b.shipmentId, milestones: b.delivered ? { delivered_in_full: b.delivered } : {} }], // prettier-ignore
      ),
    };
  }

  /** The version that last made the PO closed or cancelled, if it is. */
  endingVersion(): number | undefined {
    if (!this.body || this.body.status === 'open') return undefined;
    let version = this.version;
    while (version > 1 && this.versions[version - 2]!.body.status === this.body.status) version -= 1;
    return version;
  }

  /** The PO is closed or cancelled here, and `by` made it so. */
  endedBy(by: Origin['by']): boolean {
    const version = this.endingVersion();
    return version !== undefined && this.versions[version - 1]!.origin.by === by;
  }

  bookedUnits(): Record<string, number> {
    const booked: Record<string, number> = {};
    for (const line of this.bookings.flatMap((b) => b.lines)) booked[line.itemKey] = (booked[line.itemKey] ?? 0) + line.units; // prettier-ignore
    return booked;
  }

  lineItemIdsNow(): Record<string, number> {
    return { ...this.lineItemIds };
  }

  /** A PO made in Flexport's UI, before poflow adopts it. */
  createOutside(po: PurchaseOrder): void {
    for (const itemKey of Object.keys(bodyOf(po).units)) this.lineItemIds[itemKey] ??= 5137001 + Object.keys(this.lineItemIds).length; // prettier-ignore
    this.body = bodyOf(po);
    this.versions.push({ body: this.body, origin: { by: 'outside', change: 'created' } });
  }

  private change(body: ModelBody, origin: Origin): void {
    const previous = this.body;
    this.body = body;
    this.versions.push({ body, origin });
    const type = !previous
      ? '/purchase_order#created'
      : body.status !== previous.status && body.status !== 'open'
        ? `/purchase_order#${body.status}`
        : '/purchase_order#updated';
    const id = this.emit(type, {
      _object: '/order_management_event_data',
      purchase_order: {
        _object: '/purchase_order',
        id: PO_ID,
        status: body.status,
        cargo_ready_date: body.cargo_ready_date,
        must_arrive_date: body.must_arrive_date,
        purchase_order_version: { _object: '/purchase_order_version', version_number: this.version },
      },
    });
    this.versionOfEvent.set(id, this.version);
  }

  private emit(type: string, data: Record<string, unknown>): number {
    const id = ++this.eventId;
    const at = this.clock();
    this.undelivered.push({ _object: '/event', id, version: 2, type, created_at: at, occurred_at: at, data });
    return id;
  }
}

function refused(message: string): { ok: false; status: number; message: string } {
  return { ok: false, status: 422, message };
}

export function bodyOf(po: PurchaseOrder): ModelBody {
  return {
    status: (po.status ?? 'open') as ProviderStatus,
    cargo_ready_date: po.cargo_ready_date ?? null,
    must_arrive_date: po.must_arrive_date ?? null,
    units: Object.fromEntries(po.line_items.map((line) => [line.item_key, line.units])),
  };
}

function sameBody(a: ModelBody, b: ModelBody): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
