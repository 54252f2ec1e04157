/**
 * Adopting a Flxpoint PO poflow did not create (made in Flxpoint's UI or by another integration):
 * its workflow starts in the state Flxpoint shows, with nothing to send. Flxpoint's side is the
 * truth: no create, and no write at all until an operator cancels it. Pure and workflow-safe.
 */
import type { AdoptionRecord } from '../core/adoption';
import { withNextPoll, type FlxpointPoSnapshot, type FlxpointPoState } from './lifecycle';
import { FlxpointPurchaseOrder } from './purchase-order';
import { flxpointLifecycle } from './status';
import { parseWith } from '../core/parsing';
import { PollSchedule, PoSettings, type PoSettingsInput } from '../core/settings';
import { purchaseOrderRejected } from '../core/workflow-support';

/** What Flxpoint showed of a PO when poflow adopted it. */
export interface FlxpointAdoptionSnapshot {
  po: FlxpointPoSnapshot;
  /** Flxpoint's `generatedAt` and `lastModifiedAt`. */
  createdAt?: string;
  updatedAt?: string;
  /** What led to the adoption, e.g. `poflow adopt`. */
  trigger: string;
}

/**
 * The lifecycle of an adopted Flxpoint PO: Flxpoint's status folded in as a read would fold it
 * (open, acknowledged, needs attention), polled from now on as after any change.
 */
export function adoptFlxpointLifecycle(
  request: FlxpointPurchaseOrder,
  settings: PoSettings,
  snapshot: FlxpointAdoptionSnapshot,
  at: string,
): FlxpointPoState {
  const mapped = flxpointLifecycle(snapshot.po);
  const adopted: AdoptionRecord = {
    at,
    provider: 'flxpoint',
    providerId: snapshot.po.id,
    providerUpdatedAt: snapshot.updatedAt,
    trigger: snapshot.trigger,
  };
  const state: FlxpointPoState = {
    provider: 'flxpoint',
    name: request.purchaseOrderNumber,
    po: request,
    poll: settings.poll ?? PollSchedule.parse({}),
    status: mapped.status,
    createdAt: at,
    acknowledged: mapped.acknowledged,
    providerId: snapshot.po.id,
    flxpointStatus: snapshot.po.purchaseOrderStatus.handle,
    statusReason: mapped.reason,
    history: [
      {
        at,
        from: mapped.status,
        to: mapped.status,
        change: 'adopted',
        cause: flxpointAdoptionCause(snapshot, mapped.status),
      },
    ],
    adopted,
  };
  return withNextPoll(state, at, true);
}

/** One line for the history and the Web UI: what Flxpoint showed, and why poflow took it. */
export function flxpointAdoptionCause(snapshot: FlxpointAdoptionSnapshot, status: string): string {
  const { po } = snapshot;
  const facts = [
    `Flxpoint status ${po.purchaseOrderStatus.handle}`,
    ...(snapshot.createdAt ? [`created there ${snapshot.createdAt}`] : []),
    ...(snapshot.updatedAt ? [`last changed ${snapshot.updatedAt}`] : []),
  ];
  return (
    `adopted as ${status} from flxpoint purchase order ${po.id} ` +
    `(${facts.join('; ')}); ${snapshot.trigger}`
  );
}

/** The workflow's start from a snapshot: the request and settings checked as for a submission. */
export function startAdoptedFlxpoint(
  snapshot: FlxpointAdoptionSnapshot,
  rawPo: unknown,
  rawSettings: PoSettingsInput | undefined,
  at: string,
): { state: FlxpointPoState; commands: [] } {
  const po = parseWith(FlxpointPurchaseOrder, rawPo);
  const settings = parseWith(PoSettings, rawSettings ?? { provider: 'flxpoint' });
  if (!po.ok || !settings.ok) {
    throw purchaseOrderRejected([...(po.ok ? [] : po.issues), ...(settings.ok ? [] : settings.issues)]);
  }
  return { state: adoptFlxpointLifecycle(po.value, settings.value, snapshot, at), commands: [] };
}
