/**
 * Events for a PO poflow does not follow, under the rule `adopt` (POFLOW_UNKNOWN_PO_EVENTS=adopt):
 * the PO is read at the provider and its workflow started with the events (signal-with-start).
 * Without the rule they are recorded and dropped; delivery asks this only once no workflow,
 * running or ended, is found under the PO's id.
 */
import type { DeliveredEvent } from './delivery-messages';

/**
 * Starts the workflow of a PO poflow does not follow, by adoption, with the events about it; or
 * says why it was not adopted (refused), or that its workflow exists and has ended (closed).
 */
export interface UnknownPoAdoption {
  adopt(
    poName: string,
    events: DeliveredEvent[],
  ): Promise<{ adopted: true } | { refused: string } | { closed: true }>;
  /**
   * The names of the POs on a shipment, read at the provider: how a shipment event that names
   * none reaches its PO.
   */
  shipmentPoNames?(shipmentId: number): Promise<string[]>;
}

/** What became of the events: adopted with them, found ended, or left unknown with the reason. */
export interface AdoptionOutcome {
  kind: 'adopted' | 'closed' | 'unknown';
  reason?: string;
}

export async function adoptUnknownPo(
  adoption: UnknownPoAdoption,
  workflowId: string,
  events: DeliveredEvent[],
): Promise<AdoptionOutcome> {
  const adopted = await adoption.adopt(poNameOf(workflowId), events);
  if ('refused' in adopted) return { kind: 'unknown', reason: adopted.refused };
  return { kind: 'closed' in adopted ? 'closed' : 'adopted' };
}

/** The PO name in a workflow id `po/<provider>/<name>` (names may hold slashes). */
function poNameOf(workflowId: string): string {
  return workflowId.split('/').slice(2).join('/');
}
