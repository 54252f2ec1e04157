/** What the command line prints for people: a PO at a glance, tables, links into the Web UI. */
import type { Config } from '../worker/config';
import { statusRowsOf, type AnyPoView } from '../providers';

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

/** One PO as an operator reads it in a terminal. */
export function describePo(
  view: AnyPoView,
  uiUrl: string | undefined,
  options: { history?: boolean } = {},
): string {
  const last = view.history[view.history.length - 1];
  const rows = statusRowsOf(view);
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
