/** A Flexport PO in `poflow status`: parties, dates, lines, bookings, milestones and deadlines. */
import { deliveriesLine } from '../../workflows/core/notification-outbox';
import type { PoView } from '../../workflows/flexport/messages';
import { partyRef } from '../../workflows/flexport/purchase-order';
import type { Deadline } from '../../workflows/flexport/state';
import type { StatusRow } from '../provider';
import { acknowledgedFlag, lastError, waitingFor, when } from '../status-text';

export function flexportFlags(view: PoView): string[] {
  return [
    acknowledgedFlag(view),
    view.bookingOverdue ? 'BOOKING OVERDUE' : undefined,
    view.late ? 'LATE' : undefined,
    view.autoCloseRefused ? 'AUTO-CLOSE REFUSED' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
}

export function flexportStatusRows(view: PoView): StatusRow[] {
  const milestones = Object.entries(view.milestones).map(
    ([m, at]) => `${m.replace(/_/g, ' ')} ${at.slice(0, 10)}`,
  );
  const id = view.providerId === undefined ? ' (not accepted yet)' : ` id ${view.providerId}`;
  const version = view.providerVersion === undefined ? '' : ` version ${view.providerVersion}`;
  const bookingLabel = (b: PoView['bookings'][number]) =>
    `${b.name} (${b.status}${b.shipmentId === undefined ? '' : `, shipment ${b.shipmentId}`})`;
  return [
    ['provider', `${view.provider}${id}${version}`],
    ['flags', flexportFlags(view).join(', ')],
    ['buyer', partyRef(view.po, 'buyer') ?? '-'],
    ['seller', partyRef(view.po, 'seller') ?? '-'],
    ['cargo ready', view.po.cargo_ready_date ?? '-'],
    ['must arrive', view.po.must_arrive_date ?? '-'],
    ['lines', view.lines.map((l) => `${l.itemKey} ${l.bookedUnits}/${l.units} ${l.booking}`).join('; ')],
    ['bookings', view.bookings.map(bookingLabel).join('; ') || 'none'],
    ['milestones', milestones.join(', ') || 'none yet'],
    ['waiting for', waitingFor(view)],
    ['next', view.nextDeadlines.map(deadlineLabel).join('; ') || 'nothing scheduled'],
    ['last error', lastError(view)],
    ['notifications', view.notifications && deliveriesLine(view.notifications)],
  ];
}

function deadlineLabel(deadline: Deadline): string {
  return `${deadline.kind.replace(/_/g, ' ')} ${when(deadline.at)}`;
}
