/**
 * The PO task queue's activities, assembled from their dependencies so tests hand in real clients
 * pointed at the sandbox and an alert sink that records. The keys are the activity names Temporal
 * records: never rename one.
 */
import type { FlexportClient } from './flexport/client';
import { createFlexportActivities } from './flexport/activities';
import {
  createNotificationActivities,
  NO_NOTIFICATIONS,
  type AlertSink,
  type NotifyDeliveryConfig,
} from './notifications';

export type { FlxpointActivities } from './flxpoint/activities';

/** `notify`: the ERP endpoints and the alert webhook; none when unset (alerts still go to `alerts`). */
export function createActivities(deps: {
  flexport: FlexportClient;
  alerts: AlertSink;
  notify?: NotifyDeliveryConfig;
}) {
  return {
    ...createNotificationActivities({ notify: deps.notify ?? NO_NOTIFICATIONS, alerts: deps.alerts }),
    ...createFlexportActivities({ flexport: deps.flexport }),
  };
}
