/**
 * What a Flxpoint purchase-order status means to poflow's lifecycle. Flxpoint pushes no status
 * notifications, so the workflow polls the PO and folds its status in with this table.
 * Pure and workflow-safe: no Node built-ins, no IO.
 */
import type { FlxpointPoStatus } from './purchase-order';
import type { PoStatus } from '../core/status';

/** `transferred` appears in the response enum only: a PO can be read back with it, never created with it. */
export type FlxpointStatusHandle = FlxpointPoStatus | 'transferred';

export interface FlxpointLifecycle {
  status: Extract<PoStatus, 'open' | 'cancelled' | 'needs_attention'>;
  acknowledged: boolean;
  /** Why the PO needs attention or was cancelled: Flxpoint's own reason when it gives one. */
  reason?: string;
}

/** The fields of a Flxpoint PO the mapping reads; a PO as the client parses it fits. */
export interface FlxpointStatusSource {
  purchaseOrderStatus: { handle: string };
  processingErrorReason?: string | null;
  cancelReason?: string | null;
  voidedReason?: string | null;
}

type Outcome = Omit<FlxpointLifecycle, 'reason'> & { defaultReason?: string };

const open: Outcome = { status: 'open', acknowledged: false };
const attention = (defaultReason: string): Outcome => ({
  status: 'needs_attention',
  acknowledged: false,
  defaultReason,
});

const OUTCOMES: Record<FlxpointStatusHandle, Outcome> = {
  unprocessed: open,
  processing: open,
  processed: open,
  acknowledged: { status: 'open', acknowledged: true },
  // A cross-docked PO is being fulfilled through a cross-dock PO: still live, nothing to fix.
  cross_docked: open,
  // Moved to another source or document by Flxpoint: still live from poflow's side.
  transferred: open,
  voided: { status: 'cancelled', acknowledged: false, defaultReason: 'voided at Flxpoint' },
  canceled: { status: 'cancelled', acknowledged: false, defaultReason: 'canceled at Flxpoint' },
  processing_error: attention('Flxpoint could not process the purchase order'),
  additional_info_required: attention('Flxpoint needs additional information for the purchase order'),
  po_number_exceeds_max_length: attention("the PO number exceeds the source's maximum length"),
  duplicate: attention('Flxpoint flagged the PO number as a duplicate'),
};

const TERMINAL: readonly string[] = ['voided', 'canceled'] satisfies FlxpointStatusHandle[];

export function isTerminalFlxpointStatus(handle: string): boolean {
  return TERMINAL.includes(handle);
}

/** An unknown status needs a human rather than a guess: Flxpoint may add statuses at any time. */
export function flxpointLifecycle(po: FlxpointStatusSource): FlxpointLifecycle {
  const handle = po.purchaseOrderStatus.handle;
  if (!Object.hasOwn(OUTCOMES, handle)) {
    return { status: 'needs_attention', acknowledged: false, reason: `unknown Flxpoint status ${handle}` };
  }
  const { defaultReason, ...lifecycle } = OUTCOMES[handle as FlxpointStatusHandle];
  const reason = providerReason(po, lifecycle.status) ?? defaultReason;
  return reason === undefined ? lifecycle : { ...lifecycle, reason };
}

function providerReason(po: FlxpointStatusSource, status: FlxpointLifecycle['status']): string | undefined {
  if (status === 'needs_attention') return po.processingErrorReason ?? undefined;
  if (status === 'cancelled')
    return (po.purchaseOrderStatus.handle === 'voided' ? po.voidedReason : po.cancelReason) ?? undefined;
  return undefined;
}
