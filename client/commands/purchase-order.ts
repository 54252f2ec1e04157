/**
 * Commands on one PO, found by provider and name: `status`, and the updates `amend`, `book`,
 * `close`, `cancel`. A request the workflow refuses (its update validator, or the provider behind
 * it) is bad input: the workflow's own reason is shown and the exit code is 2.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  stateQuery,
  type PoView,
} from '../../workflows/messages';
import {
  Booking,
  parsePurchaseOrder,
  parseWith,
  PROVIDERS,
  purchaseOrderWorkflowId,
  type Booking as BookingRequest,
  type FieldIssue,
  type Provider,
} from '../../workflows/purchase-order';
import { BadInput, badFields } from '../errors';
import { describePo, workflowUiUrl } from '../format';
import { print, readJsonFile, type Session } from '../session';

export interface PoRef {
  name: string;
  provider: string;
}

export async function showStatus(
  session: Session,
  ref: PoRef,
  options: { history?: boolean },
): Promise<void> {
  printView(session, await readView(session, ref), options);
}

export async function amend(session: Session, ref: PoRef, file: string): Promise<void> {
  const raw = await readJsonFile(file);
  // The schema is checked here for field-level errors up front; the workflow checks the rules of change.
  const parsed = parsePurchaseOrder(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid purchase order`, parsed.issues);
  const view = await update(session, ref, 'amend', (handle) =>
    handle.executeUpdate(amendUpdate, { args: [raw] }),
  );
  if (view.status === 'needs_attention' && view.lastError) {
    throw new BadInput(`the provider refused the amended PO ${view.name} (${view.lastError.status}): ${view.lastError.message}`); // prettier-ignore
  }
  printView(session, view);
}

export async function book(session: Session, ref: PoRef, file: string | undefined): Promise<void> {
  const raw = file === undefined ? {} : await readJsonFile(file);
  const parsed = parseWith(Booking, raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid booking`, parsed.issues);
  const view = await update(session, ref, 'book', (handle) =>
    // The update's only argument is optional, which the SDK's overloads do not accept: typed by hand.
    handle.executeUpdate<PoView, [BookingRequest]>(bookUpdate.name, { args: [parsed.value] }),
  );
  printView(session, view);
}

export async function close(session: Session, ref: PoRef): Promise<void> {
  printView(session, await update(session, ref, 'close', (handle) => handle.executeUpdate(closeUpdate)));
}

export async function cancel(session: Session, ref: PoRef, reason: string | undefined): Promise<void> {
  const view = await update(session, ref, 'cancel', (handle) =>
    handle.executeUpdate<PoView, [string | undefined]>(cancelUpdate.name, { args: [reason] }),
  );
  printView(session, view);
}

function printView(session: Session, view: PoView, options: { history?: boolean } = {}): void {
  const workflowId = purchaseOrderWorkflowId(view.provider, view.name);
  const uiUrl = workflowUiUrl(session.config, workflowId);
  print(session, { ...view, workflowId, uiUrl }, () => describePo(view, uiUrl, options));
}

function handleOf(session: Session, ref: PoRef): WorkflowHandle {
  if (!(PROVIDERS as readonly string[]).includes(ref.provider)) {
    throw new BadInput(`--provider: ${JSON.stringify(ref.provider)} is not a provider; expected one of ${PROVIDERS.join(', ')}`); // prettier-ignore
  }
  return session.client.workflow.getHandle(purchaseOrderWorkflowId(ref.provider as Provider, ref.name));
}

/** The lifecycle view: asked of a running workflow, or the result a finished one returned. */
async function readView(session: Session, ref: PoRef): Promise<PoView> {
  const handle = handleOf(session, ref);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new BadInput(`name: no purchase order ${JSON.stringify(ref.name)} at ${ref.provider} (workflow ${handle.workflowId})`); // prettier-ignore
    }
    throw err;
  }
  if (status === 'RUNNING') return handle.query(stateQuery);
  if (status === 'COMPLETED') return (await handle.result()) as PoView;
  throw new Error(`the workflow of purchase order ${ref.name} is ${status.toLowerCase()}: see ${workflowUiUrl(session.config, handle.workflowId)}`); // prettier-ignore
}

async function update(
  session: Session,
  ref: PoRef,
  verb: string,
  request: (handle: WorkflowHandle) => Promise<PoView>,
): Promise<PoView> {
  const handle = handleOf(session, ref);
  try {
    return await request(handle);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type === 'ProviderRejected') {
        throw new BadInput(`${verb} refused by the provider: ${cause.message}`);
      }
      const issues = cause instanceof ApplicationFailure ? (cause.details?.[0] as FieldIssue[] | undefined) : undefined; // prettier-ignore
      throw new BadInput(`${verb} refused: ${cause?.message ?? err.message}`, issues ?? []);
    }
    if (err instanceof WorkflowNotFoundError) {
      // Also what a finished workflow answers: say why it can no longer change.
      const view = await readView(session, ref);
      throw new BadInput(`${verb} refused: Purchase order ${view.name} is already ${view.status}`);
    }
    throw err;
  }
}
