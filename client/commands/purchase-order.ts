/**
 * Commands on one PO, found by name at whichever provider has it (or at the one `--provider`
 * names): `status`, and the updates `amend`, `book`, `close`, `cancel`. A request the workflow
 * refuses (its update validator, or the provider behind it) is bad input: the workflow's own
 * reason is shown and the exit code is 2. What each does to the PO is shared with the ERP API
 * (`client/purchase-order-requests.ts`); here is what the command line prints of it.
 */
import type { AnyPoView } from '../../providers';
import { badFields } from '../errors';
import { describePo, workflowUiUrl } from '../format';
import {
  amendmentIssues,
  capabilityRefusalOf,
  isProvider,
  locate,
  parseBooking,
  readView,
  requestAmend,
  requestBook,
  requestCancel,
  requestClose,
  statusDocument,
  type FoundPo,
  type PoRef,
  type RequestOptions,
  type UpdateOutcome,
} from '../purchase-order-requests';
import { print, readJsonFile, type Session } from '../session';
import { DEFAULT_WAIT_SECONDS } from '../help-texts';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';

export type { PoRef } from '../purchase-order-requests';

/** How long a request waits for its effect before saying it is still in progress. */
export interface WaitOption {
  /** Seconds; `--wait`. */
  wait?: number;
}

export async function showStatus(
  session: Session,
  ref: PoRef,
  options: { history?: boolean },
): Promise<void> {
  const po = await locate(session.client, ref);
  printView(session, await readView(session.client, po, uiUrlOf(session)), options);
}

export async function amend(
  session: Session,
  ref: PoRef,
  file: string,
  wait: WaitOption = {},
): Promise<void> {
  const raw = await readJsonFile(file);
  const po = await locate(session.client, ref);
  const issues = amendmentIssues(po.provider, raw);
  if (issues && 'tooLarge' in issues) {
    throw badFields(`${file} is too large for a purchase order`, issues.tooLarge);
  }
  if (issues) throw badFields(`${file} is not a valid purchase order for ${po.provider}`, issues.invalid);
  const options = requestOptions(session, wait);
  const view = follow(session, po, 'amend', options, await requestAmend(session.client, po, raw, options));
  if (view) printView(session, view);
}

/**
 * Refuses, as bad input, a command the PO's provider does not have (in its capabilities): `poflow`
 * asks before connecting when `--provider` names it, and again once the PO is found.
 */
export function checkProviderHas(verb: 'book' | 'close', ref: PoRef): void {
  if (ref.provider === undefined || !isProvider(ref.provider)) return;
  const refused = capabilityRefusalOf(verb, ref.provider);
  if (refused) throw refused;
}

export async function book(
  session: Session,
  ref: PoRef,
  file: string | undefined,
  wait: WaitOption = {},
): Promise<void> {
  const raw = file === undefined ? {} : await readJsonFile(file);
  const parsed = parseBooking(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid booking`, parsed.issues);
  const po = await locate(session.client, ref);
  const options = requestOptions(session, wait);
  const outcome = await requestBook(session.client, po, parsed.value, options);
  const view = follow(session, po, 'book', options, outcome);
  if (view) printView(session, view);
}

export async function close(session: Session, ref: PoRef, wait: WaitOption = {}): Promise<void> {
  const po = await locate(session.client, ref);
  const options = requestOptions(session, wait);
  const view = follow(session, po, 'close', options, await requestClose(session.client, po, options));
  if (view) printView(session, view);
}

export async function cancel(
  session: Session,
  ref: PoRef,
  reason: string | undefined,
  wait: WaitOption = {},
): Promise<void> {
  const po = await locate(session.client, ref);
  const options = requestOptions(session, wait);
  const outcome = await requestCancel(session.client, po, reason, options);
  const view = follow(session, po, 'cancel', options, outcome);
  if (view) printView(session, view);
}

function requestOptions(session: Session, wait: WaitOption): RequestOptions {
  return { waitSeconds: wait.wait ?? DEFAULT_WAIT_SECONDS, uiUrlOf: uiUrlOf(session) };
}

function uiUrlOf(session: Session) {
  return (workflowId: string) => workflowUiUrl(session.config, workflowId);
}

/**
 * The view once the request took effect; prints where it stands and returns undefined when it is
 * still under way (exit code 0) or when it had already taken effect (a repeated cancel, close or
 * named booking); fails when no worker took it in.
 */
function follow(
  session: Session,
  po: FoundPo,
  verb: string,
  options: RequestOptions,
  outcome: UpdateOutcome,
): AnyPoView | undefined {
  if (outcome.kind === 'done') return outcome.view;
  const followWith = `poflow status ${po.name} --provider ${po.provider}`;
  const uiUrl = options.uiUrlOf?.(purchaseOrderWorkflowId(po.provider, po.name));
  const orUi = uiUrl ? ` or ${uiUrl}` : '';
  const waitSeconds = options.waitSeconds;
  if (outcome.kind === 'already_done') {
    const view = outcome.view;
    print(
      session,
      { ...view, request: verb, outcome: 'already_done' },
      () => `${verb}: purchase order ${po.name} is already ${view.status}; nothing to do`,
    );
    return undefined;
  }
  if (outcome.kind === 'not_accepted') {
    throw new Error(
      `${verb} of purchase order ${po.name} was sent, but its workflow did not take it in within ` +
        `${waitSeconds} s (is a poflow worker running?); it may still take effect: ` +
        `follow it with ${followWith}${orUi}`,
    );
  }
  const view = outcome.view;
  const doing = view?.pending ? `: waiting for the provider to answer the ${view.pending.intent}` : '';
  print(
    session,
    { name: po.name, request: verb, outcome: 'in_progress', status: view?.status, follow: followWith, uiUrl },
    () =>
      `${verb} of purchase order ${po.name} accepted and still in progress after ${waitSeconds} s${doing}.` +
      `\nFollow it with: ${followWith}${uiUrl ? `\n  or in the Web UI: ${uiUrl}` : ''}`,
  );
  return undefined;
}

function printView(session: Session, view: AnyPoView, options: { history?: boolean } = {}): void {
  const document = statusDocument(view, uiUrlOf(session));
  print(session, document, () => describePo(view, document.uiUrl, options));
}
