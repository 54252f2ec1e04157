/** What the command line prints for people: a PO at a glance, tables, links into the Web UI. */
import type { Config } from '../worker/config';
import type { Deadline } from '../workflows/lifecycle';
import type { PoView } from '../workflows/messages';
import { partyRef } from '../workflows/purchase-order';

/** The PO's page in the Temporal Web UI. */
export function workflowUiUrl(config: Config, workflowId: string): string {
  return `${namespaceUiUrl(config)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The Web UI's workflow list filtered by a visibility query. */
export function queryUiUrl(config: Config, query: string): string {
  return `${namespaceUiUrl(config)}/workflows?query=${encodeURIComponent(query)}`;
}

function namespaceUiUrl(config: Config): string {
  return `${config.temporal.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(config.temporal.namespace)}`;
}

/** `2027-01-21 00:00 UTC (in 3 days)` */
export function when(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  const days = Math.round((time - now) / 86_400_000);
  const relative = days === 0 ? 'today' : days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`; // prettier-ignore
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC (${relative})`;
}

export function deadlineLabel(deadline: Deadline): string {
  return `${deadline.kind.replace(/_/g, ' ')} ${when(deadline.at)}`;
}

export function flagsOf(view: PoView): string[] {
  return [
    view.acknowledged ? 'acknowledged' : 'not acknowledged',
    view.bookingOverdue ? 'BOOKING OVERDUE' : undefined,
    view.late ? 'LATE' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
}

/** One PO as an operator reads it in a terminal. */
export function describePo(view: PoView, uiUrl: string, options: { history?: boolean } = {}): string {
  const milestones = Object.entries(view.milestones).map(
    ([m, at]) => `${m.replace(/_/g, ' ')} ${at.slice(0, 10)}`,
  );
  const last = view.history[view.history.length - 1];
  const rows: Array<[string, string | undefined]> = [
    ['provider', `${view.provider}${view.providerId === undefined ? ' (not accepted yet)' : ` id ${view.providerId}`}${view.providerVersion === undefined ? '' : ` version ${view.providerVersion}`}`], // prettier-ignore
    ['flags', flagsOf(view).join(', ')],
    ['buyer', partyRef(view.po, 'buyer') ?? '-'],
    ['seller', partyRef(view.po, 'seller') ?? '-'],
    ['cargo ready', view.po.cargo_ready_date ?? '-'],
    ['must arrive', view.po.must_arrive_date ?? '-'],
    ['lines', view.lines.map((l) => `${l.itemKey} ${l.bookedUnits}/${l.units} ${l.booking}`).join('; ')],
    ['bookings', view.bookings.map((b) => `${b.name} (${b.status}${b.shipmentId === undefined ? '' : `, shipment ${b.shipmentId}`})`).join('; ') || 'none'], // prettier-ignore
    ['milestones', milestones.join(', ') || 'none yet'],
    ['waiting for', view.pending ? `${view.pending.intent}: ${view.pending.cause} (since ${view.pending.since})` : undefined], // prettier-ignore
    ['next', view.nextDeadlines.map(deadlineLabel).join('; ') || 'nothing scheduled'],
    ['last error', view.lastError ? `${view.lastError.during} refused (${view.lastError.status}): ${view.lastError.message}` : undefined], // prettier-ignore
    ['last change', last && !options.history ? historyLine(last) : undefined],
    ['web ui', uiUrl],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  const lines = [`PO ${view.name}: ${view.status}`, ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)]; // prettier-ignore
  if (options.history) lines.push('  history', ...view.history.map((h) => `    ${historyLine(h)}`));
  return lines.join('\n');
}

function historyLine(h: PoView['history'][number]): string {
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
