/**
 * Flxpoint purchase orders, kept in memory: creation under a unique PO number, reads by id and
 * by number, and status changes with the timestamps and reasons Flxpoint records for them. With the
 * sandbox's SQLite file (sandbox/persistence.ts) each PO is also a row there and the next ids a meta
 * value, so a restart on the same file keeps them, as it keeps Flexport's state.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../envelopes';
import type { SqliteFile } from '../persistence';
import type { CreatePurchaseOrderRequest } from './schemas';
import { FLXPOINT_PO_STATUSES, type FlxpointPoStatus } from './schemas';
type AddressInput = CreatePurchaseOrderRequest['shippingAddress'];
type ItemInput = CreatePurchaseOrderRequest['purchaseOrderItems'][number];

export type AddressRecord = AddressInput & { id: number; hash: string };
export type ItemRecord = ItemInput & { id: number; lineItemNumber: number };

export interface FlxpointPoRecord {
  id: number;
  purchaseOrderNumber: string;
  request: CreatePurchaseOrderRequest;
  status: FlxpointPoStatus;
  shippingAddress: AddressRecord;
  billingAddress: AddressRecord;
  items: ItemRecord[];
  generatedAt: string;
  lastModifiedAt: string;
  sentAt: string | null;
  acknowledgedAt: string | null;
  canceledAt: string | null;
  voidedAt: string | null;
  cancelReason: string | null;
  voidedReason: string | null;
  processingErrorReason: string | null;
}

export const StatusChange = z.object({
  status: z.enum(FLXPOINT_PO_STATUSES),
  reason: z.string().trim().min(1).optional(),
});
export type StatusChange = z.output<typeof StatusChange>;

const TERMINAL: readonly FlxpointPoStatus[] = ['voided', 'canceled'];
/**
 * Statuses that stop the PO short of the source; the sandbox keeps their reason in
 * `processingErrorReason`.
 */
const NEEDS_ATTENTION: readonly FlxpointPoStatus[] = [
  'processing_error',
  'additional_info_required',
  'po_number_exceeds_max_length',
  'duplicate',
];

export const PO_NUMBER_IN_USE = 'PO Number is already in use.';

/** A PO's row kind and the next ids' meta key in the sandbox's SQLite file. */
const PO_KIND = 'flxpoint_purchase_order';
const NEXT_IDS_KEY = 'flxpoint_next_ids';

export class FlxpointStore {
  private readonly purchaseOrders: FlxpointPoRecord[];
  // Ids start high and apart per kind, so an id of the wrong kind never resolves.
  private readonly nextIds = { purchaseOrder: 4_100_000, address: 8_800_000, item: 12_500_000 };

  /** With `db`, the POs and next ids saved there are loaded, and each change is marked for its next save. */
  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly db?: SqliteFile,
  ) {
    this.purchaseOrders = db?.loadRecords<FlxpointPoRecord>(PO_KIND) ?? [];
    Object.assign(this.nextIds, db?.loadValue<Partial<typeof this.nextIds>>(NEXT_IDS_KEY));
  }

  /** `POST /purchase-orders`; a null status leaves it to Flxpoint's PO strategy: unprocessed. */
  create(request: CreatePurchaseOrderRequest): FlxpointPoRecord {
    if (request.purchaseOrderNumber !== undefined && this.findByNumber(request.purchaseOrderNumber)) {
      throw new ApiError(409, 'conflict', PO_NUMBER_IN_USE);
    }
    const id = this.nextIds.purchaseOrder++;
    const at = this.now().toISOString();
    const record: FlxpointPoRecord = {
      id,
      purchaseOrderNumber: request.purchaseOrderNumber ?? `PO${id}`,
      request,
      status: 'unprocessed',
      shippingAddress: this.address(request.shippingAddress),
      billingAddress: this.address(request.billingAddress),
      items: request.purchaseOrderItems.map((item, i) => ({
        ...item,
        id: this.nextIds.item++,
        lineItemNumber: i + 1,
      })),
      generatedAt: at,
      lastModifiedAt: at,
      sentAt: null,
      acknowledgedAt: null,
      canceledAt: null,
      voidedAt: null,
      cancelReason: null,
      voidedReason: null,
      processingErrorReason: null,
    };
    if (request.purchaseOrderStatus) this.apply(record, { status: request.purchaseOrderStatus });
    this.purchaseOrders.push(record);
    this.changed(record);
    this.db?.valueChanged(NEXT_IDS_KEY, this.nextIds);
    return record;
  }

  list(filter: { purchaseOrderNumber?: string } = {}): FlxpointPoRecord[] {
    const { purchaseOrderNumber } = filter;
    return purchaseOrderNumber === undefined
      ? [...this.purchaseOrders]
      : this.purchaseOrders.filter((po) => po.purchaseOrderNumber === purchaseOrderNumber);
  }

  find(id: number): FlxpointPoRecord {
    const po = this.purchaseOrders.find((p) => p.id === id);
    if (!po) throw new ApiError(404, 'not_found', `Purchase order ${id} not found`);
    return po;
  }

  findByNumber(purchaseOrderNumber: string): FlxpointPoRecord | undefined {
    return this.purchaseOrders.find((po) => po.purchaseOrderNumber === purchaseOrderNumber);
  }

  /** The counterpart moves the PO on (admin endpoint); a voided or canceled PO stays so. */
  changeStatus(purchaseOrderNumber: string, change: StatusChange): FlxpointPoRecord {
    const po = this.findByNumber(purchaseOrderNumber);
    if (!po) throw new ApiError(404, 'not_found', `Purchase order ${purchaseOrderNumber} not found`);
    this.apply(po, change);
    return po;
  }

  /** Cancel or void from the API. Repeating the same one is harmless, so a retried call succeeds. */
  end(id: number, status: 'canceled' | 'voided', reason?: string): FlxpointPoRecord {
    const po = this.find(id);
    if (po.status !== status) this.apply(po, { status, reason });
    return po;
  }

  private apply(po: FlxpointPoRecord, { status, reason }: StatusChange): void {
    if (TERMINAL.includes(po.status)) {
      throw new ApiError(409, 'conflict', `Purchase order ${po.purchaseOrderNumber} is ${po.status}`);
    }
    const at = this.now().toISOString();
    po.status = status;
    po.lastModifiedAt = at;
    if (status === 'processed' || status === 'acknowledged') po.sentAt ??= at;
    if (status === 'acknowledged') po.acknowledgedAt = at;
    if (status === 'canceled') {
      po.canceledAt = at;
      po.cancelReason = reason ?? null;
    }
    if (status === 'voided') {
      po.voidedAt = at;
      po.voidedReason = reason ?? null;
    }
    if (NEEDS_ATTENTION.includes(status)) po.processingErrorReason = reason ?? null;
    this.changed(po);
  }

  /** The PO's row is rewritten by the sandbox's next save, before the answer leaves. */
  private changed(po: FlxpointPoRecord): void {
    this.db?.recordChanged(PO_KIND, po);
  }

  /** Flxpoint splits a lone `name` into first and last name, and joins them back for `name`. */
  private address(input: AddressInput): AddressRecord {
    const [first, ...rest] = (input.name ?? '').trim().split(/\s+/);
    const split = input.name && !input.firstName && !input.lastName;
    const firstName = split ? first : input.firstName;
    const lastName = split ? rest.join(' ') || undefined : input.lastName;
    const name = input.name ?? ([firstName, lastName].filter(Boolean).join(' ') || undefined);
    const address = { ...input, name, firstName, lastName };
    const hash = createHash('sha256').update(JSON.stringify(address)).digest('hex').slice(0, 32);
    return { ...address, id: this.nextIds.address++, hash };
  }
}
