/**
 * Commands on one PO, found by provider and name: `status`, and the updates `amend`, `book`,
 * `close`, `cancel`. A request the workflow refuses (its update validator, or the provider behind
 * it) is bad input: the workflow's own reason is shown and the exit code is 2. A Flxpoint PO has
 * its own workflow: it answers `state`, `amend` and `cancel`, and has nothing to book or close.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  flxpointAmendUpdate,
  flxpointCancelUpdate,
  stateQuery,
} from '../../workflows/messages';
import {
  Booking,
  parsePurchaseOrder,
  parseWith,
  PROVIDERS,
  purchaseOrderWorkflowId,
  type FieldIssue,
  type Provider,
} from '../../workflows/purchase-order';
import { BadInput, badFields } from '../errors';
import { describePo, workflowUiUrl, type AnyPoView } from '../format';
import { PO_BODIES } from '../purchase-orders';
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
  // The schema is checked here for field-level errors up front; the workflow checks the rules of change
  // (and a Flexport PO's dates against its own creation date, not today).
  const parsed = ref.provider === 'flxpoint' ? PO_BODIES.flxpoint.validate(raw) : parsePurchaseOrder(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid purchase order for ${ref.provider}`, parsed.issues);
  const view = await update(session, ref, 'amend', (handle) =>
    ref.provider === 'flxpoint'
      ? handle.executeUpdate(flxpointAmendUpdate, { args: [raw] })
      : handle.executeUpdate(amendUpdate, { args: [raw] }),
  );
  if (view.status === 'needs_attention' && view.lastError) {
    throw new BadInput(`the provider refused the amended PO ${view.name} (${view.lastError.status}): ${view.lastError.message}`); // prettier-ignore
  }
  printView(session, view);
}

/** Why Flxpoint POs have no `book` and `close`: said before anything connects. */
const NOT_AT_FLXPOINT = {
  book: 'Flxpoint has no bookings: it sends the PO to its source as a whole',
  close: 'Flxpoint has no close: a Flxpoint PO ends when it is cancelled or voided',
};

/** Refuses, as bad input, a command the PO's provider does not have; `poflow` asks before connecting. */
export function checkProviderHas(verb: keyof typeof NOT_AT_FLXPOINT, ref: PoRef): void {
  if (ref.provider === 'flxpoint') throw new BadInput(`${verb} refused: ${NOT_AT_FLXPOINT[verb]}`);
}

export async function book(session: Session, ref: PoRef, file: string | undefined): Promise<void> {
  const raw = file === undefined ? {} : await readJsonFile(file);
  const parsed = parseWith(Booking, raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid booking`, parsed.issues);
  const view = await update(session, ref, 'book', (handle) =>
    handle.executeUpdate(bookUpdate, { args: [parsed.value] }),
  );
  printView(session, view);
}

export async function close(session: Session, ref: PoRef): Promise<void> {
  printView(session, await update(session, ref, 'close', (handle) => handle.executeUpdate(closeUpdate)));
}

export async function cancel(session: Session, ref: PoRef, reason: string | undefined): Promise<void> {
  const view = await update(session, ref, 'cancel', (handle) =>
    ref.provider === 'flxpoint'
      ? handle.executeUpdate(flxpointCancelUpdate, { args: [reason] })
      : handle.executeUpdate(cancelUpdate, { args: [reason] }),
  );
  printView(session, view);
}

function printView(session: Session, view: AnyPoView, options: { history?: boolean } = {}): void {
  const workflowId = purchaseOrderWorkflowId(view.provider, view.name);
  const uiUrl = workflowUiUrl(session.config, workflowId);
  print(session, { ...view, workflowId, uiUrl }, () => describePo(view, uiUrl, options));
}

function providerOf(ref: PoRef): Provider {
  if (!(PROVIDERS as readonly string[]).includes(ref.provider)) {
    throw new BadInput(`--provider: ${JSON.stringify(ref.provider)} is not a provider; expected one of ${PROVIDERS.join(', ')}`); // prettier-ignore
  }
  return ref.provider as Provider;
}

function handleOf(session: Session, ref: PoRef): WorkflowHandle {
  return session.client.workflow.getHandle(purchaseOrderWorkflowId(providerOf(ref), ref.name));
}

/** The lifecycle view: asked of a running workflow, or the result a finished one returned. */
async function readView(session: Session, ref: PoRef): Promise<AnyPoView> {
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
  // Both workflows answer the same `state` query, each with its own view.
  if (status === 'RUNNING') return (await handle.query(stateQuery)) as AnyPoView;
  if (status === 'COMPLETED') return (await handle.result()) as AnyPoView;
  throw new Error(`the workflow of purchase order ${ref.name} is ${status.toLowerCase()}: see ${workflowUiUrl(session.config, handle.workflowId)}`); // prettier-ignore
}

async function update(
  session: Session,
  ref: PoRef,
  verb: string,
  request: (handle: WorkflowHandle) => Promise<AnyPoView>,
): Promise<AnyPoView> {
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
