/**
 * What must hold once the storm is over and the book has settled, checked against the sandbox's
 * own records (its API, as Flexport would answer) and Temporal's: one workflow and one provider PO
 * per name, no duplicate booking, the same status on both sides, nothing left waiting.
 */
import type { Client } from '@temporalio/client';
import { stateQuery, type PoView } from '../../workflows/flexport/messages';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';

export interface ProviderPo {
  id: number;
  name: string;
  status: string;
}

export interface ProviderBooking {
  id: number;
  name: string;
  status: string;
}

export interface Book {
  /** poflow's view of each PO, by name; undefined when its workflow is missing. */
  views: Map<string, PoView | undefined>;
  /** Workflow execution status by name (RUNNING, COMPLETED, FAILED, ...). */
  executions: Map<string, string>;
  workflowIds: string[];
  providerPos: ProviderPo[];
  providerBookings: ProviderBooking[];
}

export async function readBook(client: Client, sandboxUrl: string, names: readonly string[]): Promise<Book> {
  const views = new Map<string, PoView | undefined>();
  const executions = new Map<string, string>();
  for (const name of names) {
    const handle = client.workflow.getHandle(purchaseOrderWorkflowId('flexport', name));
    try {
      const status = (await handle.describe()).status.name;
      executions.set(name, status);
      views.set(
        name,
        status === 'RUNNING'
          ? await handle.query(stateQuery)
          : status === 'COMPLETED'
            ? ((await handle.result()) as PoView)
            : undefined,
      );
    } catch {
      views.set(name, undefined);
    }
  }
  const workflowIds: string[] = [];
  for await (const execution of client.workflow.list({ query: 'WorkflowType = "purchaseOrderWorkflow"' })) {
    workflowIds.push(execution.workflowId);
  }
  return {
    views,
    executions,
    workflowIds,
    providerPos: await allPages<ProviderPo>(sandboxUrl, 'purchase_orders'),
    providerBookings: await allPages<ProviderBooking>(sandboxUrl, 'bookings'),
  };
}

async function allPages<T>(sandboxUrl: string, collection: string): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const response = await fetch(`${sandboxUrl}/${collection}?per=100&page=${page}`, {
      headers: { authorization: 'Bearer sandbox', 'flexport-version': collection === 'bookings' ? '2' : '3' },
    });
    if (!response.ok) throw new Error(`GET /${collection}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { data: { data: T[]; next?: string | null } };
    items.push(...body.data.data);
    if (!body.data.next || body.data.data.length === 0) return items;
  }
}

/** The provider's status a poflow status stands for. */
const PROVIDER_STATUS: Record<string, string> = {
  open: 'open',
  booked: 'open',
  needs_attention: 'open',
  submitting: 'open',
  closed: 'closed',
  cancelled: 'cancelled',
};

/** Work a PO still waits for: a provider call, a queued end, or a create never answered. */
export function workPending(view: PoView): string | undefined {
  if (view.pending) return `waiting for ${view.pending.intent} since ${view.pending.since}`;
  if (view.endRequested) return `${view.endRequested.status} requested, not yet sent`;
  if (view.status === 'submitting') return 'still submitting';
  return undefined;
}

export function violationsOf(book: Book, names: readonly string[]): string[] {
  const violations: string[] = [];
  const expected = new Set(names);
  const poIds = new Set(book.workflowIds);
  if (poIds.size !== book.workflowIds.length) violations.push('a workflow id is listed twice');
  for (const id of poIds) {
    if (!names.some((name) => purchaseOrderWorkflowId('flexport', name) === id))
      violations.push(`unexpected workflow ${id}`);
  }
  const providerByName = groupBy(book.providerPos, (po) => po.name);
  for (const name of providerByName.keys()) {
    if (!expected.has(name)) violations.push(`provider PO ${name} that poflow never submitted`);
  }
  const bookingsByName = groupBy(book.providerBookings, (b) => b.name);
  for (const [bookingName, bookings] of bookingsByName) {
    if (bookings.length > 1)
      violations.push(`booking ${bookingName} exists ${bookings.length} times at the provider`);
  }
  for (const name of names) {
    const execution = book.executions.get(name);
    const view = book.views.get(name);
    if (!execution || !view) {
      violations.push(`${name}: no workflow${execution ? ` (${execution})` : ''}`);
      continue;
    }
    if (execution !== 'RUNNING' && execution !== 'COMPLETED')
      violations.push(`${name}: workflow ${execution}`);
    const atProvider = providerByName.get(name) ?? [];
    if (atProvider.length > 1) violations.push(`${name}: ${atProvider.length} provider POs`);
    const provider = atProvider[0];
    const pending = workPending(view);
    if (pending) violations.push(`${name}: stuck, ${pending}`);
    if (!provider) {
      // Only a PO cancelled before the provider ever had it may be missing there.
      if (view.status !== 'cancelled' || view.providerId !== undefined)
        violations.push(`${name}: ${view.status} in poflow, missing at the provider`);
      continue;
    }
    if (view.providerId !== undefined && view.providerId !== provider.id)
      violations.push(`${name}: provider id ${view.providerId} in poflow, ${provider.id} at the provider`);
    if (PROVIDER_STATUS[view.status] !== provider.status)
      violations.push(`${name}: ${view.status} in poflow, ${provider.status} at the provider`);
    const providerBookings = book.providerBookings.filter((b) => b.name.startsWith(`${name}-B`));
    if (providerBookings.length !== view.bookings.length)
      violations.push(
        `${name}: ${view.bookings.length} bookings in poflow, ${providerBookings.length} at the provider`,
      );
  }
  return violations;
}

/** Settled: nothing waits, and every PO's status is the provider's. */
export function settled(book: Book, names: readonly string[]): boolean {
  return violationsOf(book, names).length === 0;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
