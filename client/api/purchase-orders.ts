/**
 * One PO through the API: submit it, read it, amend, cancel, close or book it. The work is the
 * CLI's (client/purchase-orders.ts, client/purchase-order-requests.ts); here it is answered in
 * HTTP: 201 started, 200 the PO, 202 still under way (with `Location`), problems otherwise.
 */
import type { AnyPoView } from '../../providers';
import { startPurchaseOrder } from '../purchase-orders';
import {
  amendmentIssues,
  capabilityRefusalOf,
  parseBooking,
  readView,
  requestAmend,
  requestBook,
  requestCancel,
  requestClose,
  statusDocument,
  type FoundPo,
  type RequestOptions,
  type UpdateOutcome,
  type Verb,
} from '../purchase-order-requests';
import { canonicalJson } from './idempotency';
import { ApiProblem, invalidFields, prefixed, problemOf, PROBLEM_TYPES } from './problems';
import { amendRequestOf, createRequestOf, reasonOf, tooLarge } from './requests';
import {
  poLocation,
  poOfPath,
  preferredWait,
  type ApiAnswer,
  type ApiContext,
  type ApiRequest,
  type Handler,
} from './context';

/**
 * `POST /v1/purchase-orders`: the PO name is the idempotency key. 201 when this request started
 * it; 200 when it was followed already with the same body; 409 when with another (amend is an
 * explicit `PUT`).
 */
export const createPurchaseOrder: Handler = async (context, request): Promise<ApiAnswer> => {
  const create = createRequestOf(request.body);
  const started = await startPurchaseOrder(context.client, create.raw, create.settings);
  const po: FoundPo = { provider: create.provider, name: started.name };
  const location = poLocation(po);
  if (!started.alreadyStarted) {
    // Its state is not read: a query would wait for the workflow's first task.
    const { workflowId } = started;
    const uiUrl = context.uiUrlOf(workflowId);
    const submitted = { ...po, workflowId, ...(uiUrl && { uiUrl }), status: 'submitting', location };
    return { status: 201, headers: { location }, body: submitted };
  }
  const view = await readView(context.client, po, context.uiUrlOf);
  if (canonicalJson(view.po) !== canonicalJson(create.po)) {
    throw new ApiProblem(
      409,
      PROBLEM_TYPES.conflict,
      `purchase order ${po.name} is already followed at ${po.provider} with a different body; ` +
        `the PO name is its idempotency key: amend it with PUT ${location}`,
    );
  }
  return {
    status: 200,
    headers: { 'content-location': location },
    body: statusDocument(view, context.uiUrlOf),
  };
};

/** `GET /v1/purchase-orders/{provider}/{name}`: what `poflow status --json` prints, history included. */
export const getPurchaseOrder: Handler = async (context, request) => {
  const view = await readView(context.client, poOfPath(request.params), context.uiUrlOf);
  return { status: 200, body: statusDocument(view, context.uiUrlOf) };
};

/** `PUT /v1/purchase-orders/{provider}/{name}`: `{ purchaseOrder }`, a full replacement. */
export const amendPurchaseOrder: Handler = async (context, request) => {
  const po = poOfPath(request.params);
  const raw = amendRequestOf(request.body);
  tooLarge(po.provider, raw, 'purchaseOrder');
  const issues = amendmentIssues(po.provider, raw);
  if (issues) {
    const fields = 'tooLarge' in issues ? issues.tooLarge : issues.invalid;
    throw invalidFields(`not a valid purchase order for ${po.provider}`, prefixed(fields, 'purchaseOrder'));
  }
  return update(context, request, po, 'amend', (options) => requestAmend(context.client, po, raw, options));
};

/** `POST .../cancel`: `{ reason? }`; only before any booking. */
export const cancelPurchaseOrder: Handler = async (context, request) => {
  const po = poOfPath(request.params);
  const reason = reasonOf(request.body, 'not a valid cancel request');
  return update(context, request, po, 'cancel', (options) =>
    requestCancel(context.client, po, reason, options),
  );
};

/** `POST .../close`: a booked PO. */
export const closePurchaseOrder: Handler = async (context, request) => {
  const po = poOfPath(request.params);
  reasonOf(request.body, 'not a valid close request');
  return update(context, request, po, 'close', (options) => requestClose(context.client, po, options));
};

/** `POST .../bookings`: a booking (`{}`: every unit left); refused where the provider has none. */
export const bookPurchaseOrder: Handler = async (context, request) => {
  const po = poOfPath(request.params);
  const refused = capabilityRefusalOf('book', po.provider);
  if (refused) throw problemOf(refused);
  const parsed = parseBooking(request.body ?? {});
  if (!parsed.ok) throw invalidFields('not a valid booking', parsed.issues);
  return update(context, request, po, 'book', (options) =>
    requestBook(context.client, po, parsed.value, options),
  );
};

/**
 * Sends the request and answers its outcome within `Prefer: wait=N`: 200 with the PO once it took
 * effect (or had before), 202 with where it stands while it is still under way.
 */
async function update(
  context: ApiContext,
  request: ApiRequest,
  po: FoundPo,
  verb: Verb,
  send: (options: RequestOptions) => Promise<UpdateOutcome>,
): Promise<ApiAnswer> {
  const wait = preferredWait(request.headers.prefer, context.defaultWaitSeconds);
  const applied: Record<string, string> = wait.applied ? { 'preference-applied': wait.applied } : {};
  let outcome: UpdateOutcome;
  try {
    const requester = { by: request.caller.name };
    outcome = await send({ waitSeconds: wait.seconds, uiUrlOf: context.uiUrlOf, requester });
  } catch (err) {
    throw problemOf(err, verb === 'amend' ? 'purchaseOrder' : '');
  }
  const location = poLocation(po);
  if (outcome.kind === 'done' || outcome.kind === 'already_done') {
    return {
      status: 200,
      headers: { ...applied, 'content-location': location },
      body: statusDocument(outcome.view, context.uiUrlOf),
    };
  }
  const view = (outcome.kind === 'in_progress' ? outcome.view : undefined) ?? (await glance(context, po));
  return {
    status: 202,
    headers: { ...applied, location },
    body: {
      name: po.name,
      provider: po.provider,
      request: verb,
      outcome: 'in_progress',
      ...(view ? { status: view.status } : {}),
      location,
    },
  };
}

const GLANCE_MS = 2000;

/** The PO's view if it answers at once (a request under way does not stop its `state` query). */
async function glance(context: ApiContext, po: FoundPo): Promise<AnyPoView | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), GLANCE_MS)));
  const read = readView(context.client, po, context.uiUrlOf).catch(() => undefined);
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}
