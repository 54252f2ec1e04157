/** The pure notification suites' stand-in for the sender: takes the outbox's head until it is empty. */
import type { Notification, NotificationOutbox } from '../../workflows/core/notification-outbox';

/** Delivers everything waiting, in order; returns it. */
export function drainOutbox(outbox: NotificationOutbox): Notification[] {
  const sent: Notification[] = [];
  for (let head = outbox.head(); head; head = outbox.head()) {
    sent.push(head);
    outbox.delivered();
  }
  return sent;
}
