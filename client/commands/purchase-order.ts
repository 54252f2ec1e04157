/**
 * Commands on one PO, found by name at whichever provider has it (or at the one `--provider`
 * names): `status`, and the updates `amend`, `book`, `close`, `cancel`. A request the workflow refuses (its update validator, or the provider behind
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
import { PO_BODIES, sizeIssues } from '../purchase-orders';
import { print, readJsonFile, type Session } from '../session';

export interface PoRef {
  name: string;
  /** Unset: whichever provider has a PO by this name. */
  provider?: string;
}

/** A PO known to be at this provider. */
interface FoundPo {
  name: string;
  provider: Provider;
}

/** The PO by this name at the provider given, or at whichever has one; asks which when both do. */
async function locate(session: Session, ref: PoRef): Promise<FoundPo> {
  if (ref.provider !== undefined) return { name: ref.name, provider: providerOf(ref.provider) };
  const found = await Promise.all(
    PROVIDERS.map(async (provider) => {
      try {
        await handleOf(session, { name: ref.name, provider }).describe();
        return provider;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    }),
  );
  const at = found.filter((provider) => provider !== undefined);
  const name = JSON.stringify(ref.name);
  if (at.length === 1) return { name: ref.name, provider: at[0]! };
  if (at.length === 0) throw new BadInput(`name: no purchase order ${name} at ${PROVIDERS.join(' or ')}`);
  throw new BadInput(`name: purchase order ${name} exists at ${at.join(' and ')}: say which with ${at.map((p) => `--provider ${p}`).join(' or ')}`); // prettier-ignore
}

export async function showStatus(
  session: Session,
  ref: PoRef,
  options: { history?: boolean },
): Promise<void> {
  printView(session, await readView(session, await locate(session, ref)), options);
}

export async function amend(session: Session, ref: PoRef, file: string): Promise<void> {
  const raw = await readJsonFile(file);
  const po = await locate(session, ref);
  // The schema is checked here for field-level errors up front; the workflow checks the rules of change
  // (and a Flexport PO's dates against its own creation date, not today).
  const oversized = sizeIssues(PO_BODIES[po.provider], raw);
  if (oversized.length) throw badFields(`${file} is too large for a purchase order`, oversized);
  const parsed = po.provider === 'flxpoint' ? PO_BODIES.flxpoint.validate(raw) : parsePurchaseOrder(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid purchase order for ${po.provider}`, parsed.issues);
  const view = await update(session, po, 'amend', (handle) =>
    po.provider === 'flxpoint'
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

/**
 * Refuses, as bad input, a command the PO's provider does not have: `poflow` asks before connecting
 * when `--provider` names it, and again once the PO is found.
 */
export function checkProviderHas(verb: keyof typeof NOT_AT_FLXPOINT, ref: PoRef): void {
  if (ref.provider === 'flxpoint') throw new BadInput(`${verb} refused: ${NOT_AT_FLXPOINT[verb]}`);
}

export async function book(session: Session, ref: PoRef, file: string | undefined): Promise<void> {
  const raw = file === undefined ? {} : await readJsonFile(file);
  const parsed = parseWith(Booking, raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid booking`, parsed.issues);
  const po = await locate(session, ref);
  checkProviderHas('book', po);
  const view = await update(session, po, 'book', (handle) =>
    handle.executeUpdate(bookUpdate, { args: [parsed.value] }),
  );
  printView(session, view);
}

export async function close(session: Session, ref: PoRef): Promise<void> {
  const po = await locate(session, ref);
  checkProviderHas('close', po);
  printView(session, await update(session, po, 'close', (handle) => handle.executeUpdate(closeUpdate)));
}

export async function cancel(session: Session, ref: PoRef, reason: string | undefined): Promise<void> {
  const po = await locate(session, ref);
  const view = await update(session, po, 'cancel', (handle) =>
    po.provider === 'flxpoint'
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

function providerOf(provider: string): Provider {
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new BadInput(`--provider: ${JSON.stringify(provider)} is not a provider; expected one of ${PROVIDERS.join(', ')}`); // prettier-ignore
  }
  return provider as Provider;
}

function handleOf(session: Session, po: FoundPo): WorkflowHandle {
  return session.client.workflow.getHandle(purchaseOrderWorkflowId(po.provider, po.name));
}

/** The lifecycle view: asked of a running workflow, or the result a finished one returned. */
async function readView(session: Session, ref: FoundPo): Promise<AnyPoView> {
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
  ref: FoundPo,
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
