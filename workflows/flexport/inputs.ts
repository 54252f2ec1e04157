/**
 * What the Flexport workflow takes in, checked at its boundary: the PO it starts with (and its
 * settings), and the operator's amendments and bookings. A bad one is refused naming the field.
 * Workflow code only.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { parseWith } from '../core/parsing';
import { DEFAULT_QUIET_CHECK_HOURS, PoSettings, type PoSettingsInput } from '../core/settings';
import { FailureTypes } from '../core/provider-failures';
import { describeIssues, now, purchaseOrderRejected } from '../core/workflow-support';
import { startLifecycle } from './lifecycle';
import { Booking, parsePurchaseOrder, type PurchaseOrder } from './purchase-order';
import type { PoState } from './state';

/**
 * POs whose history began before the quiet check replay without it (their histories hold no such
 * timer). A run resumed from state written before it existed gets the default.
 */
export function withQuietCheck(state: PoState, quietCheckPatched: boolean): PoState {
  const quietCheckHours = quietCheckPatched
    ? (state.settings.quietCheckHours ?? DEFAULT_QUIET_CHECK_HOURS)
    : false;
  return { ...state, settings: { ...state.settings, quietCheckHours } };
}

export function begin(input: { po: unknown; settings?: PoSettingsInput }) {
  const createdOn = now().slice(0, 10);
  const po = parsePurchaseOrder(input.po, { createdOn });
  const settings = parseWith(PoSettings, input.settings ?? {});
  if (!po.ok || !settings.ok) {
    throw purchaseOrderRejected([...(po.ok ? [] : po.issues), ...(settings.ok ? [] : settings.issues)]);
  }
  return startLifecycle(po.value, settings.value, now());
}

export function parsedOrRefused(raw: unknown, state: PoState): PurchaseOrder {
  const parsed = parsePurchaseOrder(raw, { createdOn: state.createdAt.slice(0, 10) });
  if (parsed.ok) return parsed.value;
  throw purchaseOrderRejected(parsed.issues);
}

export function bookingOrRefused(raw: unknown) {
  const parsed = parseWith(Booking, raw ?? {});
  if (parsed.ok) return parsed.value;
  throw ApplicationFailure.create({
    type: FailureTypes.requestRefused,
    message: describeIssues(parsed.issues),
    nonRetryable: true,
  });
}
