/**
 * A small model of Flxpoint as one PO number sees it, after sandbox/flxpoint/store.ts: creation
 * under a unique number (409 `PO Number is already in use.`), reads by id, the read-back by number
 * (the client's `adoptPurchaseOrder`: only a PO of the same order and source), cancel with its
 * reason (repeating it is harmless, cancelling a voided PO is a 409), and the counterpart's status
 * changes (a person or the source in Flxpoint's UI; a voided or canceled PO never changes again).
 * Each status remembers who set it, so the model-based test can tell a PO's true causes from the
 * ones poflow records. Flxpoint pushes nothing: poflow only learns what it reads.
 */
import type { FlxpointPoSnapshot } from '../../workflows/flxpoint/lifecycle';
import type { FlxpointPoStatus, FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';

/** Who set a status: poflow (its create or its cancel, with the cause it sent) or someone at Flxpoint. */
export type Origin =
  { by: 'poflow'; call: 'create' | 'cancel'; cause: string } | { by: 'outside'; change: string };

export interface ModelPo {
  id: number;
  number: string;
  orderId: number;
  sourceId: number;
  status: FlxpointPoStatus;
  cancelReason: string | null;
  voidedReason: string | null;
  processingErrorReason: string | null;
  /** Every status it had, oldest first, with who set it. */
  statuses: { status: FlxpointPoStatus; origin: Origin }[];
}

/** Flxpoint's answer: the PO, a refusal (status and message), or the client's retryable "not yet". */
export type Answer = { ok: true; po?: FlxpointPoSnapshot } | { ok: false; status: number; message: string } | { ok: false; retry: true }; // prettier-ignore

export const NUMBER_IN_USE = 'PO Number is already in use.';
const TERMINAL: readonly FlxpointPoStatus[] = ['voided', 'canceled'];
const NEEDS_ATTENTION: readonly FlxpointPoStatus[] = ['processing_error', 'additional_info_required', 'po_number_exceeds_max_length', 'duplicate']; // prettier-ignore

export class FlxpointModel {
  readonly pos: ModelPo[] = [];
  /** Bumped on every change, so the test knows whether poflow has read the latest. */
  revision = 0;
  private nextId = 4_100_000;

  /** `POST /purchase-orders` (poflow's create, or a person's in Flxpoint's UI). */
  create(body: FlxpointPurchaseOrder, origin: Origin): Answer {
    if (this.byNumber(body.purchaseOrderNumber)) return { ok: false, status: 409, message: NUMBER_IN_USE };
    const po: ModelPo = {
      id: this.nextId++,
      number: body.purchaseOrderNumber,
      orderId: body.orderId,
      sourceId: body.sourceId,
      status: 'unprocessed',
      cancelReason: null,
      voidedReason: null,
      processingErrorReason: null,
      statuses: [{ status: 'unprocessed', origin }],
    };
    this.pos.push(po);
    this.revision += 1;
    // A status in the request forces it (the sandbox's `apply`, as for a status change).
    if (body.purchaseOrderStatus) this.apply(po, body.purchaseOrderStatus, undefined, origin);
    return { ok: true, po: snapshot(po) };
  }

  /** The client's `adoptPurchaseOrder` after a 409: the PO holding the number, if it is this order's. */
  adopt(body: FlxpointPurchaseOrder): Answer {
    const po = this.byNumber(body.purchaseOrderNumber);
    if (!po) return { ok: false, retry: true };
    if (po.orderId !== body.orderId || po.sourceId !== body.sourceId) {
      return { ok: false, status: 0, message: `PO Number ${po.number} is already in use by purchase order ${po.id} for another order or source` }; // prettier-ignore
    }
    return { ok: true, po: snapshot(po) };
  }

  /** The activity `findFlxpointPurchaseOrder`: the PO under the number if it is this order's, else none. */
  find(body: FlxpointPurchaseOrder): Answer {
    const po = this.byNumber(body.purchaseOrderNumber);
    const ours = po && po.orderId === body.orderId && po.sourceId === body.sourceId;
    return { ok: true, po: ours ? snapshot(po) : undefined };
  }

  /** `GET /purchase-orders/{id}`. */
  read(id: number): Answer {
    const po = this.byId(id);
    return po ? { ok: true, po: snapshot(po) } : notFound(id);
  }

  /** `PUT /purchase-orders/{id}/cancel`: the same call again answers the PO unchanged. */
  cancel(id: number, reason: string, origin: Origin): Answer {
    const po = this.byId(id);
    if (!po) return notFound(id);
    if (po.status !== 'canceled') {
      if (TERMINAL.includes(po.status)) return { ok: false, status: 409, message: `Purchase order ${po.number} is ${po.status}` }; // prettier-ignore
      this.apply(po, 'canceled', reason, origin);
    }
    return { ok: true, po: snapshot(po) };
  }

  /** The counterpart moves the PO on (`POST /_sandbox/flxpoint/purchase-orders/{number}/status`). */
  move(number: string, status: FlxpointPoStatus, reason?: string): void {
    const po = this.byNumber(number);
    // A voided or canceled PO answers 409: nothing changes.
    if (!po || TERMINAL.includes(po.status)) return;
    this.apply(po, status, reason, { by: 'outside', change: status });
  }

  byNumber(number: string): ModelPo | undefined {
    return this.pos.find((po) => po.number === number);
  }

  byId(id: number): ModelPo | undefined {
    return this.pos.find((po) => po.id === id);
  }

  /** The PO's last status change that made it voided or canceled, if it is. */
  ending(po: ModelPo): { status: FlxpointPoStatus; origin: Origin } | undefined {
    return TERMINAL.includes(po.status) ? po.statuses.at(-1) : undefined;
  }

  private apply(po: ModelPo, status: FlxpointPoStatus, reason: string | undefined, origin: Origin): void {
    po.status = status;
    if (status === 'canceled') po.cancelReason = reason ?? null;
    if (status === 'voided') po.voidedReason = reason ?? null;
    if (NEEDS_ATTENTION.includes(status)) po.processingErrorReason = reason ?? null;
    po.statuses.push({ status, origin });
    this.revision += 1;
  }
}

export function isTerminalHandle(status: string): boolean {
  return (TERMINAL as readonly string[]).includes(status);
}

/** What the activities keep of Flxpoint's answer (activities/flxpoint/activities.ts `snapshot`). */
export function snapshot(po: ModelPo): FlxpointPoSnapshot {
  return {
    id: po.id,
    purchaseOrderNumber: po.number,
    purchaseOrderStatus: { handle: po.status },
    processingErrorReason: po.processingErrorReason,
    cancelReason: po.cancelReason,
    voidedReason: po.voidedReason,
  };
}

function notFound(id: number): Answer {
  return { ok: false, status: 404, message: `Purchase order ${id} not found` };
}
