/**
 * An operator's request (amend, book, close, cancel) under faults: sent as a workflow update, it
 * waits a bounded time for the PO's workflow to accept it and for its effect, then says where it
 * stands instead of hanging. A provider retrying 503s, a worker down or a cancel queued behind a
 * create in flight all end in "accepted, still in progress" with the command that follows it.
 */
import type { Client, WorkflowHandle, WorkflowUpdateHandle } from '@temporalio/client';
import { anyPoMessages, type AnyPoView } from '../providers';

export type RequestOutcome =
  | { kind: 'done'; view: AnyPoView }
  /** Accepted by the PO's workflow; its effect (a provider call, a queued cancel) is still under way. */
  | { kind: 'in_progress'; view?: AnyPoView }
  /** Sent; no worker has taken it in yet. The server hands it over when one runs. */
  | { kind: 'not_accepted' };

const POLL_MS = 500;

/**
 * `start` sends the update (resolving once accepted); `finished` says whether a view shows its effect.
 * Calls still waiting at the end are cancelled, so the command exits instead of holding a long poll.
 */
export async function boundedRequest(
  client: Client,
  handle: WorkflowHandle,
  start: () => Promise<WorkflowUpdateHandle<AnyPoView>>,
  finished: (view: AnyPoView) => boolean,
  waitMs: number,
): Promise<RequestOutcome> {
  const abandon = new AbortController();
  try {
    return await client.withAbortSignal(abandon.signal, () => waitFor(handle, start, finished, waitMs));
  } finally {
    abandon.abort();
  }
}

async function waitFor(
  handle: WorkflowHandle,
  start: () => Promise<WorkflowUpdateHandle<AnyPoView>>,
  finished: (view: AnyPoView) => boolean,
  waitMs: number,
): Promise<RequestOutcome> {
  const deadline = Date.now() + waitMs;
  const accepted = await within(start(), deadline);
  if (accepted === TIMED_OUT) return { kind: 'not_accepted' };
  let view = await within(accepted.result(), deadline);
  if (view === TIMED_OUT) return { kind: 'in_progress' };
  // An update can end before its effect: a cancel queued behind a create in flight.
  while (!finished(view)) {
    if (Date.now() + POLL_MS > deadline) return { kind: 'in_progress', view };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const next = await within(readLatest(handle), deadline);
    if (next === TIMED_OUT) return { kind: 'in_progress', view };
    view = next;
  }
  return { kind: 'done', view };
}

/** The running workflow's state, or the view a finished one returned. */
async function readLatest(handle: WorkflowHandle): Promise<AnyPoView> {
  const { status } = await handle.describe();
  if (status.name === 'RUNNING') return handle.query(anyPoMessages.stateQuery);
  return (await handle.result()) as AnyPoView;
}

const TIMED_OUT = Symbol('timed out');

/** `promise`, or TIMED_OUT at the deadline; a late rejection of the abandoned promise is ignored. */
async function within<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
