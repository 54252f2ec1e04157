/**
 * What the command line and the ERP API do to one PO, saying nothing themselves: find it at the
 * provider given or at whichever has it, read its view, and send an update (amend, book, close,
 * cancel) that waits a bounded time for its outcome. A request the workflow refuses (its update
 * validator, or the provider behind it) is bad input with the workflow's own reason; the caller
 * says it its way (exit code 2, or a 409 / 422 problem). A Flxpoint PO has its own workflow: it
 * answers `state`, `amend` and `cancel`, and has nothing to book or close.
 */
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { anyPoMessages, type AnyPoView } from '../providers';
import type { Requester } from '../workflows/core/messages';
import { bookUpdate, closeUpdate } from '../workflows/flexport/messages';
import { Booking } from '../workflows/flexport/purchase-order';
import { PROVIDERS, type Provider } from '../workflows/core/choices';
import { capabilityRefusal } from '../workflows/core/provider';
import { PROVIDER_WORKFLOWS } from '../workflows/providers';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { parseWith, type FieldIssue, type Parsed } from '../workflows/core/parsing';
import { FailureTypes } from '../workflows/core/provider-failures';
import { BadInput } from './errors';
import { closestNames } from './closest-names';
import { poBodyOf, sizeIssues } from './purchase-orders';
import { boundedRequest, type RequestOutcome } from './po-request';

export interface PoRef {
  name: string;
  /** Unset: whichever provider has a PO by this name. */
  provider?: string;
}

/** A PO known to be at this provider. */
export interface FoundPo {
  name: string;
  provider: Provider;
}

export type Verb = 'amend' | 'book' | 'close' | 'cancel';

export interface RequestOptions {
  /** How long the request waits for its effect before saying it is still in progress. */
  waitSeconds: number;
  /** The Web UI page of a workflow, for the message about one that neither runs nor completed. */
  uiUrlOf?: (workflowId: string) => string | undefined;
  /** Who asks, as the PO's history records it (the API's token name); unset: an operator. */
  requester?: Requester;
}

/** The request's arguments, and who asks when it is known (the command line sends none, as ever). */
function withRequester<A extends unknown[]>(args: A, options: RequestOptions): [...A, Requester?] {
  return options.requester ? [...args, options.requester] : ([...args] as [...A]);
}

/**
 * How a request ended within its wait: `done` (its effect is in the view), `already_done` (a
 * repeated cancel, close or named booking that had taken effect before), `in_progress` (accepted,
 * its effect still under way), `not_accepted` (sent; no worker took it in yet).
 */
export type UpdateOutcome = RequestOutcome | { kind: 'already_done'; view: AnyPoView };

/** No PO by this name (at this provider). */
export class PoNotFound extends BadInput {}

/** The provider found the request's body itself invalid (its 422 on an amended PO). */
export class ProviderRefusedBody extends BadInput {}

const ACCEPTED = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;

export function isProvider(provider: string): provider is Provider {
  return (PROVIDERS as readonly string[]).includes(provider);
}

/** `provider` as a provider, or bad input naming `field` (`--provider`, or the API's `provider`). */
export function providerOf(provider: string, field = '--provider'): Provider {
  if (!isProvider(provider)) {
    throw new BadInput(
      `${field}: ${JSON.stringify(provider)} is not a provider; expected one of ${PROVIDERS.join(', ')}`,
    );
  }
  return provider;
}

export function handleOf(client: Client, po: FoundPo): WorkflowHandle {
  return client.workflow.getHandle(purchaseOrderWorkflowId(po.provider, po.name));
}

/** The PO by this name at the provider given, or at whichever has one; asks which when both do. */
export async function locate(client: Client, ref: PoRef): Promise<FoundPo> {
  if (ref.provider !== undefined) return { name: ref.name, provider: providerOf(ref.provider) };
  const found = await Promise.all(
    PROVIDERS.map(async (provider) => {
      try {
        await handleOf(client, { name: ref.name, provider }).describe();
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
  if (at.length === 0) {
    const suggestion = await didYouMean(client, ref.name);
    throw new PoNotFound(`name: no purchase order ${name} at ${PROVIDERS.join(' or ')}${suggestion}`);
  }
  throw new BadInput(
    `name: purchase order ${name} exists at ${at.join(' and ')}: ` +
      `say which with ${at.map((p) => `--provider ${p}`).join(' or ')}`,
  );
}

/**
 * How many of the latest followed POs a "did you mean" looks through: one visibility page of names,
 * never a query per PO.
 */
export const SUGGESTION_POOL = 1000;

/**
 * `; did you mean PO-1001?` for the followed POs (at `provider`, when given) among the latest
 * `SUGGESTION_POOL` whose names are within edit distance 2 of `name`; empty when there are none or
 * visibility does not answer (the not-found message stands on its own).
 */
export async function didYouMean(client: Client, name: string, provider?: Provider): Promise<string> {
  const names: string[] = [];
  try {
    const query = `${SearchAttributes.PoName.name} IS NOT NULL`;
    let seen = 0;
    for await (const execution of client.workflow.list({ query, pageSize: SUGGESTION_POOL })) {
      for (const at of provider ? [provider] : PROVIDERS) {
        const prefix = purchaseOrderWorkflowId(at, '');
        if (execution.workflowId.startsWith(prefix)) names.push(execution.workflowId.slice(prefix.length));
      }
      if (++seen >= SUGGESTION_POOL) break;
    }
  } catch {
    return '';
  }
  const closest = closestNames(name, names);
  return closest.length > 0 ? `; did you mean ${closest.join(' or ')}?` : '';
}

/** The lifecycle view: asked of a running workflow, or the result a finished one returned. */
export async function readView(
  client: Client,
  po: FoundPo,
  uiUrlOf: RequestOptions['uiUrlOf'] = () => undefined,
): Promise<AnyPoView> {
  const handle = handleOf(client, po);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new PoNotFound(
        `name: no purchase order ${JSON.stringify(po.name)} at ${po.provider} ` +
          `(workflow ${handle.workflowId})${await didYouMean(client, po.name, po.provider)}`,
      );
    }
    throw err;
  }
  // Both workflows answer the same `state` query, each with its own view.
  if (status === 'RUNNING') return handle.query(anyPoMessages.stateQuery);
  if (status === 'COMPLETED') return (await handle.result()) as AnyPoView;
  const where = uiUrlOf(handle.workflowId) ?? `its history (workflow ${handle.workflowId})`;
  throw new Error(`the workflow of purchase order ${po.name} is ${status.toLowerCase()}: see ${where}`);
}

/** What `poflow status --json` prints and `GET /v1/purchase-orders/{provider}/{name}` answers. */
export function statusDocument(view: AnyPoView, uiUrlOf: RequestOptions['uiUrlOf'] = () => undefined) {
  const workflowId = purchaseOrderWorkflowId(view.provider, view.name);
  return { ...view, workflowId, uiUrl: uiUrlOf(workflowId) };
}

/** Why the PO's provider cannot `verb` (bad input), or undefined when it can. */
export function capabilityRefusalOf(verb: 'book' | 'close', provider: Provider): BadInput | undefined {
  const refused = capabilityRefusal(PROVIDER_WORKFLOWS[provider].capabilities[verb]);
  return refused === undefined ? undefined : new BadInput(`${verb} refused: ${refused}`);
}

/**
 * What is wrong with an amended PO's body before anything is sent: over the PO limits, or refused
 * by its provider's schema (field-level). The workflow checks the rules of change (and a Flexport
 * PO's dates against its own creation date, not today).
 */
export function amendmentIssues(
  provider: Provider,
  raw: unknown,
): { tooLarge: FieldIssue[] } | { invalid: FieldIssue[] } | undefined {
  const oversized = sizeIssues(poBodyOf(provider), raw);
  if (oversized.length) return { tooLarge: oversized };
  const parsed = PROVIDER_WORKFLOWS[provider].body.parse(raw);
  return parsed.ok ? undefined : { invalid: parsed.issues };
}

/** A booking request (`{}`: every unit not yet booked). */
export function parseBooking(raw: unknown): Parsed<Booking> {
  return parseWith(Booking, raw);
}

/** A full replacement of the PO; a PO the provider refuses as amended is bad input in its words. */
export async function requestAmend(
  client: Client,
  po: FoundPo,
  raw: unknown,
  options: RequestOptions,
): Promise<UpdateOutcome> {
  const outcome = await sendUpdate(client, po, 'amend', options, (handle) =>
    handle.startUpdate(anyPoMessages.amendUpdate, { args: withRequester([raw], options), ...ACCEPTED }),
  );
  const view = outcome.kind === 'done' ? outcome.view : undefined;
  if (view?.status === 'needs_attention' && view.lastError) {
    throw new ProviderRefusedBody(
      `the provider refused the amended PO ${view.name} (${view.lastError.status}): ` +
        view.lastError.message,
    );
  }
  return outcome;
}

export async function requestBook(
  client: Client,
  po: FoundPo,
  booking: Booking,
  options: RequestOptions,
): Promise<UpdateOutcome> {
  const refused = capabilityRefusalOf('book', po.provider);
  if (refused) throw refused;
  const name = booking.name;
  return sendUpdate(
    client,
    po,
    'book',
    options,
    (handle) => handle.startUpdate(bookUpdate, { args: withRequester([booking], options), ...ACCEPTED }),
    // A booking by this name already made: the request took effect before.
    (view) => name !== undefined && 'bookings' in view && view.bookings.some((b) => b.name === name),
  );
}

export async function requestClose(
  client: Client,
  po: FoundPo,
  options: RequestOptions,
): Promise<UpdateOutcome> {
  const refused = capabilityRefusalOf('close', po.provider);
  if (refused) throw refused;
  const outcome = await sendUpdate(
    client,
    po,
    'close',
    options,
    (handle) => handle.startUpdate(closeUpdate, { args: [options.requester], ...ACCEPTED }),
    (view) => view.status === 'closed',
  );
  return checkEnded(outcome, 'close');
}

export async function requestCancel(
  client: Client,
  po: FoundPo,
  reason: string | undefined,
  options: RequestOptions,
): Promise<UpdateOutcome> {
  const outcome = await sendUpdate(
    client,
    po,
    'cancel',
    options,
    (handle) =>
      handle.startUpdate(anyPoMessages.cancelUpdate, { args: withRequester([reason], options), ...ACCEPTED }),
    (view) => view.status === 'cancelled',
  );
  return checkEnded(outcome, 'cancel');
}

/** A close or cancel the provider refused leaves the PO as it was: bad input, in the provider's words. */
function checkEnded(outcome: UpdateOutcome, verb: 'close' | 'cancel'): UpdateOutcome {
  if (outcome.kind !== 'done') return outcome;
  const { view } = outcome;
  const error = view.lastError;
  if (view.status !== (verb === 'close' ? 'closed' : 'cancelled') && error?.during === verb) {
    throw new BadInput(`${verb} refused by the provider (${error.status}): ${error.message}`);
  }
  return outcome;
}

/**
 * Sends one request and waits at most `waitSeconds` for it. A refusal is thrown as bad input; a
 * repeat of a request that already took effect (`tookEffect`) is `already_done`, not a failure.
 */
async function sendUpdate(
  client: Client,
  po: FoundPo,
  verb: Verb,
  options: RequestOptions,
  start: (handle: WorkflowHandle) => Promise<WorkflowUpdateHandle<AnyPoView>>,
  tookEffect: (view: AnyPoView) => boolean = () => false,
): Promise<UpdateOutcome> {
  const handle = handleOf(client, po);
  try {
    return await boundedRequest(
      client,
      handle,
      () => start(handle),
      (view) => requestSettled(view, verb),
      options.waitSeconds * 1000,
    );
  } catch (err) {
    // Also what a finished workflow answers: it can no longer change.
    const finished = err instanceof WorkflowNotFoundError;
    const refusal = refusalOf(err, verb);
    if (!refusal && !finished) throw err;
    const read = readView(client, po, options.uiUrlOf);
    const view = finished ? await read : await read.catch(() => undefined);
    if (view && tookEffect(view)) return { kind: 'already_done', view };
    throw refusal ?? new BadInput(`${verb} refused: Purchase order ${view!.name} is already ${view!.status}`);
  }
}

/** Whether a view shows the request's effect, not only its acceptance (a cancel can wait behind a create). */
function requestSettled(view: AnyPoView, verb: Verb): boolean {
  if (verb !== 'cancel' && verb !== 'close') return true;
  if (view.status === 'cancelled' || view.status === 'closed') return true;
  const ending =
    ('endRequested' in view && view.endRequested) ||
    ('cancelAfterCreate' in view && view.cancelAfterCreate !== undefined);
  return !ending && view.pending?.intent !== verb;
}

/** The workflow's refusal of a request as bad input, with its reason; undefined for any other failure. */
function refusalOf(err: unknown, verb: Verb): BadInput | undefined {
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
