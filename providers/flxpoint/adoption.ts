/**
 * Adopting a Flxpoint PO poflow did not create: read by its number at Flxpoint, then its workflow
 * started in the state Flxpoint shows, under the id a submission would have had
 * (`po/flxpoint/<number>`), so a PO poflow already follows starts nothing and costs no request.
 */
import type { Client } from '@temporalio/client';
import { FlxpointClient } from '../../activities/flxpoint/client';
import { readFlxpointByNumber, type FlxpointAdoptionRead } from '../../activities/flxpoint/adoption-read';
import { FLXPOINT_REQUEST_SPACING_MS } from '../../activities/flxpoint/activities';
import { RequestPacer } from '../../activities/pacer';
import { flxpointLifecycle } from '../../workflows/flxpoint/status';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';
import { type PoSettings } from '../../workflows/core/settings';
import type { ProviderConnection } from '../provider';
import { followedAlready, type AdoptionResult } from '../start-once';
import { startFlxpoint } from './start';

/**
 * Flxpoint as `poflow adopt` reads it: the client of the configured token, and a pacer at the
 * worker's spacing, so this process alone never sends more than Flxpoint allows.
 */
export function flxpointReader(connection: ProviderConnection) {
  const pacer = new RequestPacer(FLXPOINT_REQUEST_SPACING_MS);
  return { flxpoint: new FlxpointClient(connection), turn: () => pacer.turn() };
}

/** One PO by number: nothing is read when poflow already follows it. */
export async function adoptFlxpointByNumber(
  client: Client,
  reader: ReturnType<typeof flxpointReader>,
  number: string,
  settings: PoSettings,
): Promise<AdoptionResult> {
  const followed = await followedAlready(client, number, settings);
  if (followed) return followed;
  const read = await readFlxpointByNumber(reader.flxpoint, number, 'poflow adopt', reader.turn);
  return adoptFlxpointRead(client, read, number, settings);
}

/** Starts the workflow of a Flxpoint PO read for adoption, unless it has one already. */
async function adoptFlxpointRead(
  client: Client,
  read: FlxpointAdoptionRead,
  number: string,
  settings: PoSettings,
): Promise<AdoptionResult> {
  const workflowId = purchaseOrderWorkflowId('flxpoint', number);
  if (!read.ok) return { name: number, workflowId, outcome: 'refused', reason: read.reason };
  const started = await startFlxpoint(client, read.request, settings, read.snapshot);
  if (started.alreadyStarted) return { name: number, workflowId, outcome: 'already_followed' };
  const { po } = read.snapshot;
  return {
    name: number,
    workflowId,
    outcome: 'adopted',
    status: flxpointLifecycle(po).status,
    providerStatus: po.purchaseOrderStatus.handle,
  };
}
