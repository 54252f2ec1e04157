/**
 * The rule `adopt` for events about POs poflow does not follow, as webhook delivery uses it:
 * the provider's adoption (read the PO, start its workflow with the events), and the POs on a
 * shipment read at the provider, for a shipment event that names none.
 */
import { DEFAULT_PROVIDER } from '../workflows/core/choices';
import type { Client } from '@temporalio/client';
import type { FlexportClient } from '../activities/flexport/client';
import { adoptionSettingsOf } from '../providers';
import { eventAdoption } from '../providers/flexport/adoption';
import type { PoSettings } from '../workflows/core/settings';
import type { UnknownPoAdoption } from './delivery';
import { shipmentPurchaseOrderNames } from './reconciler/flexport-event-feed';

export function unknownPoAdoption(
  client: Client,
  flexport: FlexportClient,
  settings: PoSettings = defaultAdoptionSettings(),
): UnknownPoAdoption {
  return {
    ...eventAdoption(client, flexport, settings),
    shipmentPoNames: (shipmentId) => shipmentPurchaseOrderNames(flexport, shipmentId),
  };
}

function defaultAdoptionSettings(): PoSettings {
  const parsed = adoptionSettingsOf({ provider: DEFAULT_PROVIDER });
  if (!parsed.ok) throw new Error('the adoption defaults do not pass the settings schema');
  return parsed.value;
}
