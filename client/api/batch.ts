/**
 * `POST /v1/purchase-orders:batch`: up to MAX_BATCH POs, each as `POST /v1/purchase-orders` takes
 * it, each checked on its own before anything starts for it (a refused one starts nothing; the
 * others go on), started like `poflow import` does (bounded concurrency, the PO name the
 * idempotency key, so a batch sent again starts nothing twice). A result per PO, in order.
 */
import { DEFAULT_PROVIDER } from '../../workflows/core/choices';
import { PROVIDER_WORKFLOWS } from '../../workflows/providers';
import { DEFAULT_IMPORT_CONCURRENCY } from '../help-texts';
import { isProvider } from '../purchase-order-requests';
import { inParallel, tryStartPurchaseOrder } from '../purchase-orders';
import { MAX_BATCH } from './routes';
import { ApiProblem, invalidFields } from './problems';
import { createRequestOf, fieldsOf, type CreateRequest } from './requests';
import { poLocation, type Handler } from './context';

interface BatchItemResult {
  index: number;
  name?: string;
  provider: string;
  outcome: 'started' | 'already_followed' | 'refused' | 'failed';
  workflowId?: string;
  location?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}

export const batchCreatePurchaseOrders: Handler = async (context, request) => {
  const what = 'not a valid batch';
  const fields = fieldsOf(request.body, ['purchaseOrders'], what);
  const items = fields.purchaseOrders;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_BATCH) {
    throw invalidFields(what, [
      { path: 'purchaseOrders', message: `expected an array of 1 to ${MAX_BATCH} purchase orders` },
    ]);
  }
  const checked = items.map((item, index) => checkItem(item, index));
  const results = await inParallel(checked, DEFAULT_IMPORT_CONCURRENCY, async (item) => {
    if (!('create' in item)) return item;
    const { create, index } = item;
    const attempt = await tryStartPurchaseOrder(context.client, create.raw, create.settings);
    const base = { index, name: create.name, provider: create.provider };
    if (attempt.outcome === 'started' || attempt.outcome === 'already_started') {
      return {
        ...base,
        outcome: attempt.outcome === 'started' ? 'started' : 'already_followed',
        workflowId: attempt.workflowId,
        location: poLocation(create),
      } satisfies BatchItemResult;
    }
    return {
      ...base,
      outcome: attempt.outcome,
      detail: attempt.message,
      ...(attempt.issues?.length ? { errors: attempt.issues } : {}),
    } satisfies BatchItemResult;
  });
  return { status: 200, body: { results } };
};

/** One PO of the batch checked as a create request: ready to start, or its refusal. */
function checkItem(item: unknown, index: number): { index: number; create: CreateRequest } | BatchItemResult {
  try {
    return { index, create: createRequestOf(item) };
  } catch (err) {
    if (!(err instanceof ApiProblem)) throw err;
    const fields = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const given = String(fields.provider);
    const provider = isProvider(given) ? given : DEFAULT_PROVIDER;
    const po = fields.purchaseOrder as Record<string, unknown> | undefined;
    const name = po?.[PROVIDER_WORKFLOWS[provider].body.nameField];
    return {
      index,
      ...(typeof name === 'string' ? { name } : {}),
      provider,
      outcome: 'refused',
      detail: err.message,
      errors: err.document.errors ?? [{ path: '', message: err.message }],
    };
  }
}
