/**
 * Commands on one PO, found by name at whichever provider has it (or at the one `--provider`
 * names): `status`, and the updates `amend`, `book`, `close`, `cancel`. A request the workflow refuses (its update validator, or the provider behind
 * it) is bad input: the workflow's own reason is shown and the exit code is 2. A Flxpoint PO has
 * its own workflow: it answers `state`, `amend` and `cancel`, and has nothing to book or close.
 */
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { anyPoMessages, type AnyPoView } from '../../providers';
import { bookUpdate, closeUpdate } from '../../workflows/flexport/messages';
import { Booking } from '../../workflows/flexport/purchase-order';
import { PROVIDERS, type Provider } from '../../workflows/core/choices';
import { capabilityRefusal } from '../../workflows/core/provider';
import { PROVIDER_WORKFLOWS } from '../../workflows/providers';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';
import { parseWith, type FieldIssue } from '../../workflows/core/parsing';
import { FailureTypes } from '../../workflows/core/provider-failures';
import { BadInput, badFields } from '../errors';
import { describePo, workflowUiUrl } from '../format';
import { poBodyOf, sizeIssues } from '../purchase-orders';
import { print, readJsonFile, type Session } from '../session';
import { DEFAULT_WAIT_SECONDS } from '../help-texts';
import { boundedRequest } from './po-request';

export interface PoRef {
  name: string;
  /** Unset: whichever provider has a PO by this name. */
  provider?: string;
}

/** How long a request waits for its effect before saying it is still in progress. */
export interface WaitOption {
  /** Seconds; `--wait`. */
  wait?: number;
}

const ACCEPTED = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;

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
  throw new BadInput(
    `name: purchase order ${name} exists at ${at.join(' and ')}: say which with ${at.map((p) => `--provider ${p}`).join(' or ')}`,
  );
}

export async function showStatus(
  session: Session,
  ref: PoRef,
  options: { history?: boolean },
): Promise<void> {
  printView(session, await readView(session, await locate(session, ref)), options);
}

export async function amend(
  session: Session,
  ref: PoRef,
  file: string,
  wait: WaitOption = {},
): Promise<void> {
  const raw = await readJsonFile(file);
  const po = await locate(session, ref);
  // The schema is checked here for field-level errors up front; the workflow checks the rules of change
  // (and a Flexport PO's dates against its own creation date, not today).
  const oversized = sizeIssues(poBodyOf(po.provider), raw);
  if (oversized.length) throw badFields(`${file} is too large for a purchase order`, oversized);
  const parsed = PROVIDER_WORKFLOWS[po.provider].body.parse(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid purchase order for ${po.provider}`, parsed.issues);
  const view = await update(session, po, 'amend', wait, (handle) =>
    handle.startUpdate(anyPoMessages.amendUpdate, { args: [raw], ...ACCEPTED }),
  );
  if (!view) return;
  if (view.status === 'needs_attention' && view.lastError) {
    throw new BadInput(
      `the provider refused the amended PO ${view.name} (${view.lastError.status}): ${view.lastError.message}`,
    );
  }
  printView(session, view);
}

/**
 * Refuses, as bad input, a command the PO's provider does not have (in its capabilities): `poflow`
 * asks before connecting when `--provider` names it, and again once the PO is found.
 */
export function checkProviderHas(verb: 'book' | 'close', ref: PoRef): void {
  if (ref.provider === undefined || !isProvider(ref.provider)) return;
  const refused = capabilityRefusal(PROVIDER_WORKFLOWS[ref.provider].capabilities[verb]);
  if (refused !== undefined) throw new BadInput(`${verb} refused: ${refused}`);
}

export async function book(
  session: Session,
  ref: PoRef,
  file: string | undefined,
  wait: WaitOption = {},
): Promise<void> {
  const raw = file === undefined ? {} : await readJsonFile(file);
  const parsed = parseWith(Booking, raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid booking`, parsed.issues);
  const po = await locate(session, ref);
  checkProviderHas('book', po);
  const name = parsed.value.name;
  const view = await update(
    session,
    po,
    'book',
    wait,
    (handle) => handle.startUpdate(bookUpdate, { args: [parsed.value], ...ACCEPTED }),
    // A booking by this name already made: the request took effect before.
    (view) => name !== undefined && 'bookings' in view && view.bookings.some((b) => b.name === name),
  );
  if (view) printView(session, view);
}

export async function close(session: Session, ref: PoRef, wait: WaitOption = {}): Promise<void> {
  const po = await locate(session, ref);
  checkProviderHas('close', po);
  const view = await update(
    session,
    po,
    'close',
    wait,
    (handle) => handle.startUpdate(closeUpdate, ACCEPTED),
    (view) => view.status === 'closed',
  );
  if (view) printEnded(session, view, 'close');
}

export async function cancel(
  session: Session,
  ref: PoRef,
  reason: string | undefined,
  wait: WaitOption = {},
): Promise<void> {
  const po = await locate(session, ref);
  const view = await update(
    session,
    po,
    'cancel',
    wait,
    (handle) => handle.startUpdate(anyPoMessages.cancelUpdate, { args: [reason], ...ACCEPTED }),
    (view) => view.status === 'cancelled',
  );
  if (view) printEnded(session, view, 'cancel');
}

/** A close or cancel the provider refused leaves the PO as it was: bad input, in the provider's words. */
function printEnded(session: Session, view: AnyPoView, verb: 'close' | 'cancel'): void {
  const error = view.lastError;
  if (view.status !== (verb === 'close' ? 'closed' : 'cancelled') && error?.during === verb) {
    throw new BadInput(`${verb} refused by the provider (${error.status}): ${error.message}`);
  }
  printView(session, view);
}

function printView(session: Session, view: AnyPoView, options: { history?: boolean } = {}): void {
  const workflowId = purchaseOrderWorkflowId(view.provider, view.name);
  const uiUrl = workflowUiUrl(session.config, workflowId);
  print(session, { ...view, workflowId, uiUrl }, () => describePo(view, uiUrl, options));
}

function isProvider(provider: string): provider is Provider {
  return (PROVIDERS as readonly string[]).includes(provider);
}

function providerOf(provider: string): Provider {
  if (!isProvider(provider)) {
    throw new BadInput(
      `--provider: ${JSON.stringify(provider)} is not a provider; expected one of ${PROVIDERS.join(', ')}`,
    );
  }
  return provider;
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
      throw new BadInput(
        `name: no purchase order ${JSON.stringify(ref.name)} at ${ref.provider} (workflow ${handle.workflowId})`,
      );
    }
    throw err;
  }
  // Both workflows answer the same `state` query, each with its own view.
  if (status === 'RUNNING') return handle.query(anyPoMessages.stateQuery);
  if (status === 'COMPLETED') return (await handle.result()) as AnyPoView;
  throw new Error(
    `the workflow of purchase order ${ref.name} is ${status.toLowerCase()}: see ${workflowUiUrl(session.config, handle.workflowId) ?? `its history (workflow ${handle.workflowId})`}`,
  );
}

/**
 * Sends one request and waits at most `--wait` seconds for it. Returns the view once it took effect;
 * prints where it stands and returns undefined when it is still under way (exit code 0) or when it
 * had already taken effect (`tookEffect`: a repeated cancel, close or named booking).
 */
async function update(
  session: Session,
  po: FoundPo,
  verb: string,
  wait: WaitOption,
  start: (handle: WorkflowHandle) => Promise<WorkflowUpdateHandle<AnyPoView>>,
  tookEffect: (view: AnyPoView) => boolean = () => false,
): Promise<AnyPoView | undefined> {
  const handle = handleOf(session, po);
  const waitSeconds = wait.wait ?? DEFAULT_WAIT_SECONDS;
  const follow = `poflow status ${po.name} --provider ${po.provider}`;
  const uiUrl = workflowUiUrl(session.config, handle.workflowId);
  try {
    const outcome = await boundedRequest(
      session.client,
      handle,
      () => start(handle),
      (view) => requestSettled(view, verb),
      waitSeconds * 1000,
    );
    if (outcome.kind === 'done') return outcome.view;
    if (outcome.kind === 'not_accepted') {
      throw new Error(
        `${verb} of purchase order ${po.name} was sent, but its workflow did not take it in within ${waitSeconds} s (is a poflow worker running?); it may still take effect: follow it with ${follow}${uiUrl ? ` or ${uiUrl}` : ''}`,
      );
    }
    const view = outcome.view;
    const doing = view?.pending ? `: waiting for the provider to answer the ${view.pending.intent}` : '';
    print(
      session,
      { name: po.name, request: verb, outcome: 'in_progress', status: view?.status, follow, uiUrl },
      () =>
        `${verb} of purchase order ${po.name} accepted and still in progress after ${waitSeconds} s${doing}.\nFollow it with: ${follow}${uiUrl ? `\n  or in the Web UI: ${uiUrl}` : ''}`,
    );
    return undefined;
  } catch (err) {
    // Also what a finished workflow answers: it can no longer change.
    const finished = err instanceof WorkflowNotFoundError;
    const refusal = refusalOf(err, verb);
    if (!refusal && !finished) throw err;
    const view = finished ? await readView(session, po) : await readView(session, po).catch(() => undefined);
    // A repeat of a request that already took effect is not a failure.
    if (view && tookEffect(view)) {
      print(
        session,
        { ...view, request: verb, outcome: 'already_done' },
        () => `${verb}: purchase order ${po.name} is already ${view.status}; nothing to do`,
      );
      return undefined;
    }
    throw refusal ?? new BadInput(`${verb} refused: Purchase order ${view!.name} is already ${view!.status}`);
  }
}

/** Whether a view shows the request's effect, not only its acceptance (a cancel can wait behind a create). */
function requestSettled(view: AnyPoView, verb: string): boolean {
  if (verb !== 'cancel' && verb !== 'close') return true;
  if (view.status === 'cancelled' || view.status === 'closed') return true;
  const ending =
    ('endRequested' in view && view.endRequested) ||
    ('cancelAfterCreate' in view && view.cancelAfterCreate !== undefined);
  return !ending && view.pending?.intent !== verb;
}

/** The workflow's refusal of a request as bad input, with its reason; undefined for any other failure. */
function refusalOf(err: unknown, verb: string): BadInput | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === FailureTypes.rejected) {
      return new BadInput(`${verb} refused by the provider: ${cause.message}`);
    }
    const issues =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as FieldIssue[] | undefined) : undefined;
    return new BadInput(`${verb} refused: ${cause?.message ?? err.message}`, issues ?? []);
  }
  return undefined;
}
