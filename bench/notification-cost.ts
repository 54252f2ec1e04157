/** What ERP notifications add to one PO's life: the same life measured with them and without. */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface LifeMeasured {
  historyEvents: number;
  notificationsDelivered: number;
}

export function notificationCost<Life extends LifeMeasured>(
  withoutNotifications: Life,
  withNotifications: Life,
) {
  const extra = withNotifications.historyEvents - withoutNotifications.historyEvents;
  return {
    withNotifications,
    withoutNotifications,
    extraHistoryEvents: extra,
    extraHistoryEventsPerNotification: Number((extra / withNotifications.notificationsDelivered).toFixed(2)),
    ratio: Number((withNotifications.historyEvents / withoutNotifications.historyEvents).toFixed(3)),
  };
}

/** A finished PO's history: how many events, and how many of one type (`TIMER_STARTED`). */
export async function historyEventCounts(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const types = (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]!);
  return {
    total: types.length,
    of: (type: string) => types.filter((t) => t === `EVENT_TYPE_${type}`).length,
  };
}
