/** Flexport on the host side: its activities on the PO task queue, starting, showing and adopting its POs. */
import { createFlexportActivities } from '../../activities/flexport/activities';
import { FlexportClient } from '../../activities/flexport/client';
import type { PoView } from '../../workflows/flexport/messages';
import { flexportWorkflowSide } from '../../workflows/flexport/provider';
import type { PurchaseOrder } from '../../workflows/flexport/purchase-order';
import type { ProviderHost } from '../provider';
import { adoptAllAtFlexport, adoptByName, ADOPTION_DEFAULTS } from './adoption';
import { startFlexport } from './start';
import { flexportFlags, flexportStatusRows } from './status-rows';

export const flexportHost: ProviderHost<PurchaseOrder, PoView, 'flexport'> = {
  side: flexportWorkflowSide,
  envPrefix: 'FLEXPORT',
  sandboxPath: '',
  activities: (connection) => createFlexportActivities({ flexport: new FlexportClient(connection) }),
  start: startFlexport,
  statusRows: flexportStatusRows,
  flags: flexportFlags,
  adoption: {
    defaults: ADOPTION_DEFAULTS,
    adoptByName: (client, connection, name, settings) =>
      adoptByName(client, new FlexportClient(connection), name, settings),
    all: adoptAllAtFlexport,
  },
};
