/**
 * Reading a Flxpoint PO poflow did not create, for adoption: the PO by its number (the one read a
 * 409 read-back makes too), its status, and the create request rebuilt from Flxpoint's answer (what
 * the workflow shows and keeps: Flxpoint's API has no update, so it is never sent again). Read only;
 * a PO that cannot be adopted is refused with the reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { FlxpointAdoptionSnapshot } from '../../workflows/flxpoint/adoption';
import { FLXPOINT_PO_TYPES, FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';
import { flxpointLifecycle, isTerminalFlxpointStatus } from '../../workflows/flxpoint/status';
import { parseWith } from '../../workflows/core/parsing';
import type { FlxpointClient, FlxpointPo } from './client';

export type FlxpointAdoptionRead =
  | { ok: true; snapshot: FlxpointAdoptionSnapshot; request: FlxpointPurchaseOrder }
  | { ok: false; reason: string };

/** How many times a read Flxpoint answers 429 (or 5xx) is sent again, each after its `Retry-After`. */
const READ_ATTEMPTS = 5;

/**
 * The PO numbered `number` at Flxpoint. `turn` paces the request (Flxpoint allows 2 a second per
 * token); a 429 is waited out as its `Retry-After` says and sent again.
 */
export async function readFlxpointByNumber(
  flxpoint: FlxpointClient,
  number: string,
  trigger: string,
  turn: () => Promise<void>,
): Promise<FlxpointAdoptionRead> {
  const found = await retryingUnavailable(async () => {
    await turn();
    return flxpoint.findPurchaseOrderByNumber(number);
  });
  if (!found) return { ok: false, reason: `flxpoint has no purchase order numbered ${number}` };
  return flxpointAdoptionOf(found, trigger);
}

/**
 * A PO as Flxpoint answers it, as an adoption: refused when it has ended there or does not fit poflow's
 * checks.
 */
export function flxpointAdoptionOf(po: FlxpointPo, trigger: string): FlxpointAdoptionRead {
  const handle = po.purchaseOrderStatus.handle;
  if (isTerminalFlxpointStatus(handle)) {
    return {
      ok: false,
      reason: `${handle} at flxpoint (${flxpointLifecycle(po).reason}): nothing to follow`,
    };
  }
  const resource = Resource.safeParse(po);
  if (!resource.success) {
    const issue = resource.error.issues[0]!;
    return {
      ok: false,
      reason: `unexpected flxpoint purchase order at ${issue.path.join('.')}: ${issue.message}`,
    };
  }
  const request = parseWith(FlxpointPurchaseOrder, requestOf(resource.data));
  if (!request.ok) {
    const issues = request.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return { ok: false, reason: `flxpoint's purchase order does not pass poflow's checks: ${issues}` };
  }
  const snapshot: FlxpointAdoptionSnapshot = {
    po: {
      id: po.id,
      purchaseOrderNumber: po.purchaseOrderNumber,
      purchaseOrderStatus: { handle },
      processingErrorReason: po.processingErrorReason,
      cancelReason: po.cancelReason,
      voidedReason: po.voidedReason,
    },
    createdAt: resource.data.generatedAt ?? undefined,
    updatedAt: po.lastModifiedAt ?? undefined,
    trigger,
  };
  return { ok: true, snapshot, request: request.value };
}

/**
 * Sends `read` again while Flxpoint answers 429 or 5xx, after the delay it asks for (1 s when it names
 * none).
 */
async function retryingUnavailable<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.nonRetryable || attempt >= READ_ATTEMPTS) throw err;
      await sleep(typeof err.nextRetryDelay === 'number' ? err.nextRetryDelay : 1000);
    }
  }
}

const Text = z.string().nullish();
const Address = z.looseObject({
  name: Text,
  firstName: Text,
  lastName: Text,
  addressLine1: Text,
  addressLine2: Text,
  city: Text,
  postal: Text,
  state: Text,
  country: Text,
  stateCode: Text,
  countryCode: Text,
  email: Text,
  phone: Text,
  companyName: Text,
});
const Attribute = z.looseObject({ key: z.string(), value: z.string().nullish() });
const Resource = z.looseObject({
  purchaseOrderNumber: z.string(),
  orderId: z.number().int(),
  sourceId: z.number().int(),
  purchaseOrderType: z.looseObject({ abbreviation: z.string() }).nullish(),
  shippingAddress: Address,
  billingAddress: Address,
  note: Text,
  generatedAt: Text,
  sourceShippingMethodId: z.number().int().nullish(),
  crossDockPurchaseOrderId: z.number().int().nullish(),
  externalAccountingId: Text,
  purchaseOrderItems: z.array(
    z.looseObject({
      orderItemId: z.number().int(),
      quantity: z.number(),
      inventoryVariantId: z.number().int().nullish(),
      sku: Text,
      title: Text,
      cost: z.number().nullish(),
      upc: Text,
      mpn: Text,
      attributes: z.array(Attribute).nullish(),
    }),
  ),
  purchaseOrderAttributes: z.array(Attribute).nullish(),
});
type Resource = z.output<typeof Resource>;

/**
 * The create request as Flxpoint's answer shows it: the request's fields, without Flxpoint's ids and
 * nulls.
 */
function requestOf(po: Resource): unknown {
  const type = po.purchaseOrderType?.abbreviation;
  return defined({
    purchaseOrderNumber: po.purchaseOrderNumber,
    purchaseOrderType: (FLXPOINT_PO_TYPES as readonly string[]).includes(type ?? '') ? type : undefined,
    orderId: po.orderId,
    sourceId: po.sourceId,
    shippingAddress: addressOf(po.shippingAddress),
    billingAddress: addressOf(po.billingAddress),
    note: po.note,
    sourceShippingMethodId: po.sourceShippingMethodId,
    crossDockPurchaseOrderId: po.crossDockPurchaseOrderId,
    externalAccountingId: po.externalAccountingId,
    purchaseOrderItems: po.purchaseOrderItems.map((item) =>
      defined({
        orderItemId: item.orderItemId,
        quantity: item.quantity,
        inventoryVariantId: item.inventoryVariantId,
        sku: item.sku,
        title: item.title,
        cost: item.cost,
        upc: item.upc,
        mpn: item.mpn,
        attributes: item.attributes?.length ? item.attributes.map(attributeOf) : undefined,
      }),
    ),
    purchaseOrderAttributes: po.purchaseOrderAttributes?.length
      ? po.purchaseOrderAttributes.map(attributeOf)
      : undefined,
  });
}

function addressOf(address: z.output<typeof Address>): Record<string, unknown> {
  const { name, firstName, lastName, addressLine1, addressLine2, city, postal, state, country } = address;
  const { stateCode, countryCode, email, phone, companyName } = address;
  return defined({
    name,
    firstName,
    lastName,
    addressLine1,
    addressLine2,
    city,
    postal,
    state,
    country,
    stateCode,
    countryCode,
    email,
    phone,
    companyName,
  });
}

function attributeOf(attribute: z.output<typeof Attribute>) {
  return { key: attribute.key, value: attribute.value ?? '' };
}

/** Flxpoint answers `null` for what the request leaves out. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== null && value !== undefined),
  );
}
