/**
 * Flxpoint on the host side: its activities alone on a rate-limited task queue, starting, showing
 * and adopting its POs (by number: it lists none).
 */
import { createFlxpointActivities, FLXPOINT_REQUEST_SPACING_MS } from '../../activities/flxpoint/activities';
import { FlxpointClient } from '../../activities/flxpoint/client';
import type { FlxpointPoView } from '../../workflows/flxpoint/messages';
import { flxpointWorkflowSide } from '../../workflows/flxpoint/provider';
import type { FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';
import type { ProviderHost } from '../provider';
import { adoptFlxpointByNumber, flxpointReader } from './adoption';
import { startFlxpoint } from './start';
import { flxpointFlags, flxpointStatusRows } from './status-rows';
import { FLXPOINT_TASK_QUEUE } from './task-queue';

export const flxpointHost: ProviderHost<FlxpointPurchaseOrder, FlxpointPoView, 'flxpoint'> = {
  side: flxpointWorkflowSide,
  envPrefix: 'FLXPOINT',
  sandboxPath: '/flxpoint',
  // The activities pace their own requests (one every FLXPOINT_REQUEST_SPACING_MS, no burst): the
  // guarantee where one process per token runs this worker (docs/flxpoint.md). The server's limit on
  // the queue is the same rate: it keeps the backlog in Temporal rather than in the worker.
  activityQueue: {
    taskQueue: FLXPOINT_TASK_QUEUE,
    requestsPerSecond: 1000 / FLXPOINT_REQUEST_SPACING_MS,
    maxConcurrentActivities: 4,
    workerSwitch: 'POFLOW_FLXPOINT_WORKER',
  },
  activities: (connection) => createFlxpointActivities({ flxpoint: new FlxpointClient(connection) }),
  start: (client, po, settings) => startFlxpoint(client, po, settings),
  statusRows: flxpointStatusRows,
  flags: flxpointFlags,
  adoption: {
    defaults: {},
    adoptByName: (client, connection, number, settings) =>
      adoptFlxpointByNumber(client, flxpointReader(connection), number, settings),
    // Flxpoint's reference (the Create Purchase Order page poflow is built from) documents no
    // listing of POs: docs/flxpoint.md, "Adoption".
    all: () => ({
      refused:
        "Flxpoint's API reference (Create Purchase Order) documents no paged listing of purchase orders" +
        ' by status or update time to walk; adopt each PO by its number' +
        ' (poflow adopt <number> --provider flxpoint)',
    }),
  },
};
