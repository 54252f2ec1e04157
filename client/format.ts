/** What the command line prints for people: a PO at a glance, tables, links into the Web UI. */
import type { Config } from '../worker/config';
import type { Deadline } from '../workflows/flexport/state';
import { nextPollAt } from '../workflows/flxpoint/lifecycle';
import { flxpointAddressLabel, flxpointItemLabel } from '../workflows/flxpoint/purchase-order';
import type { PoView } from '../workflows/flexport/messages';
import type { FlxpointPoView } from '../workflows/flxpoint/messages';
import { deliveriesLine } from '../workflows/core/notification-outbox';
import { partyRef } from '../workflows/flexport/purchase-order';

/** The PO's page in the Temporal Web UI; undefined when no Web UI is known (`TEMPORAL_UI_URL`). */
export function workflowUiUrl(config: Config, workflowId: string): string | undefined {
  return namespaceUiUrl(config, `/workflows/${encodeURIComponent(workflowId)}`);
}

/** The Web UI's workflow list filtered by a visibility query; undefined when no Web UI is known. */
export function queryUiUrl(config: Config, query: string): string | undefined {
  return namespaceUiUrl(config, `/workflows?query=${encodeURIComponent(query)}`);
}

function namespaceUiUrl(config: Config, page: string): string | undefined {
  const { uiUrl, namespace } = config.temporal;
  return uiUrl && `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}${page}`;
}

/** `2027-01-21 00:00 UTC (in 3 days)` */
export function when(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  const days = Math.round((time - now) / 86_400_000);
  const relative =
    days === 0
      ? 'today'
      : days > 0
        ? `in ${days} day${days === 1 ? '' : 's'}`
        : `${-days} day${days === -1 ? '' : 's'} ago`;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC (${relative})`;
}

/** `2027-01-21 00:00:42 UTC (in 40 s)`: for what comes within the hour, such as a status read. */
export function soon(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const relative =
    seconds <= 0 ? 'due now' : seconds < 120 ? `in ${seconds} s` : `in ${Math.round(seconds / 60)} min`;
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC (${relative})`;
}

export function deadlineLabel(deadline: Deadline): string {
  return `${deadline.kind.replace(/_/g, ' ')} ${when(deadline.at)}`;
}

/** What a PO's `state` query answers: its provider's workflow decides the view. */
export type AnyPoView = PoView | FlxpointPoView;

export function isFlxpointView(view: AnyPoView): view is FlxpointPoView {
  return view.provider === 'flxpoint';
}

export function flagsOf(view: AnyPoView): string[] {
  const flags = [view.acknowledged ? 'acknowledged' : 'not acknowledged'];
  if (isFlxpointView(view)) return flags;
  return [
    ...flags,
    view.bookingOverdue ? 'BOOKING OVERDUE' : undefined,
    view.late ? 'LATE' : undefined,
    view.autoCloseRefused ? 'AUTO-CLOSE REFUSED' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
}

type Row = [label: string, value: string | undefined];

/** One PO as an operator reads it in a terminal. */
export function describePo(
  view: AnyPoView,
  uiUrl: string | undefined,
  options: { history?: boolean } = {},
): string {
  const last = view.history[view.history.length - 1];
  const rows = isFlxpointView(view) ? flxpointRows(view) : flexportRows(view);
  rows.push(['last change', last && !options.history ? historyLine(last) : undefined], ['web ui', uiUrl]);
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  const lines = [
    `PO ${view.name}: ${view.status}`,
    ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ];
  if (options.history) lines.push('  history', ...view.history.map((h) => `    ${historyLine(h)}`));
  return lines.join('\n');
}

function flexportRows(view: PoView): Row[] {
  const milestones = Object.entries(view.milestones).map(
    ([m, at]) => `${m.replace(/_/g, ' ')} ${at.slice(0, 10)}`,
  );
  return [
    [
      'provider',
      `${view.provider}${view.providerId === undefined ? ' (not accepted yet)' : ` id ${view.providerId}`}${view.providerVersion === undefined ? '' : ` version ${view.providerVersion}`}`,
    ],
    ['flags', flagsOf(view).join(', ')],
    ['buyer', partyRef(view.po, 'buyer') ?? '-'],
    ['seller', partyRef(view.po, 'seller') ?? '-'],
    ['cargo ready', view.po.cargo_ready_date ?? '-'],
    ['must arrive', view.po.must_arrive_date ?? '-'],
    ['lines', view.lines.map((l) => `${l.itemKey} ${l.bookedUnits}/${l.units} ${l.booking}`).join('; ')],
    [
      'bookings',
      view.bookings
        .map(
          (b) => `${b.name} (${b.status}${b.shipmentId === undefined ? '' : `, shipment ${b.shipmentId}`})`,
        )
        .join('; ') || 'none',
    ],
    ['milestones', milestones.join(', ') || 'none yet'],
    ['waiting for', waitingFor(view)],
    ['next', view.nextDeadlines.map(deadlineLabel).join('; ') || 'nothing scheduled'],
    ['last error', lastError(view)],
    ['notifications', view.notifications && deliveriesLine(view.notifications)],
  ];
}

/** Flxpoint has no bookings, milestones or deadlines: its own status, the order and the polling instead. */
function flxpointRows(view: FlxpointPoView): Row[] {
  const { po } = view;
  const pollAt = nextPollAt(view);
  return [
    [
      'provider',
      `flxpoint${view.providerId === undefined ? ' (not accepted yet)' : ` id ${view.providerId}`}`,
    ],
    [
      'flxpoint status',
      view.flxpointStatus === undefined
        ? 'not read yet'
        : `${view.flxpointStatus}${view.statusReason ? `: ${view.statusReason}` : ''}`,
    ],
    ['flags', flagsOf(view).join(', ')],
    [
      'order',
      `${po.orderId} to source ${po.sourceId}${po.purchaseOrderType ? ` (type ${po.purchaseOrderType})` : ''}`,
    ],
    ['ships to', flxpointAddressLabel(po.shippingAddress)],
    [
      'items',
      po.purchaseOrderItems.map((i) => `${i.orderItemId} ${flxpointItemLabel(i)}×${i.quantity}`).join('; '),
    ],
    ['waiting for', waitingFor(view)],
    ['next', pollAt ? `status read ${soon(pollAt)}` : 'nothing scheduled'],
    ['last error', lastError(view)],
    ['notifications', view.notifications && deliveriesLine(view.notifications)],
  ];
}

function waitingFor(view: AnyPoView): string | undefined {
  return view.pending
    ? `${view.pending.intent}: ${view.pending.cause} (since ${view.pending.since})`
    : undefined;
}

function lastError(view: AnyPoView): string | undefined {
  return view.lastError
    ? `${view.lastError.during} refused (${view.lastError.status}): ${view.lastError.message}`
    : undefined;
}

function historyLine(h: AnyPoView['history'][number]): string {
  return `${h.at} ${h.from} → ${h.to}${h.change ? ` (${h.change})` : ''}: ${h.cause}`;
}

/** Rows as aligned columns; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
