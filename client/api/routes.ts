/**
 * The ERP API's routes, version 1: the one table both the server (which registers a handler for
 * each, so no route can be missing from the document) and the OpenAPI document (built from it by
 * client/api/openapi.ts) read. Paths are OpenAPI style (`{provider}`, `{name}`; a name is
 * percent-encoded, as PO names may contain `/`); `requestBody` and `responses` name schemas
 * exported by client/api/schemas.ts.
 */

export type ApiMethod = 'GET' | 'POST' | 'PUT';

/** The name of a schema exported by client/api/schemas.ts. */
export type ApiSchemaName =
  | 'CreatePurchaseOrderRequest'
  | 'AmendPurchaseOrderRequest'
  | 'CancelRequest'
  | 'CloseRequest'
  | 'BookingRequest'
  | 'AdoptionRequest'
  | 'BatchRequest'
  | 'PurchaseOrder'
  | 'PurchaseOrderSubmitted'
  | 'PurchaseOrderPage'
  | 'BatchResult'
  | 'RequestInProgress'
  | 'Problem';

export interface ApiRoute {
  method: ApiMethod;
  /** OpenAPI style: `/v1/purchase-orders/{provider}/{name}`. */
  path: string;
  operationId: string;
  summary: string;
  /** A write needs a token without `:read` and honours `Idempotency-Key` and `Prefer: wait=N`. */
  write: boolean;
  /** The schema of the JSON body; absent: the route takes none (or an optional empty one). */
  requestBody?: ApiSchemaName;
  /** Query parameters, each with its meaning (all optional, all strings on the wire). */
  query?: Record<string, string>;
  /** Status code -> the schema of its body (`Problem` for every 4xx). */
  responses: Record<number, ApiSchemaName>;
}

/** The problems any route can answer: bad token (401) and too many requests (429). */
const ALWAYS = { 401: 'Problem', 429: 'Problem' } as const;
/** The problems a write can answer besides: bad input, a read-only token, a body too large. */
const WRITE = { ...ALWAYS, 400: 'Problem', 403: 'Problem', 413: 'Problem', 422: 'Problem' } as const;
/**
 * An update of one PO: 200 with the PO once the outcome came within `Prefer: wait`, 202 with
 * where the request stands (RequestInProgress, and `Location`) when it is still under way; 404 no
 * such PO; 409 refused by the PO's rules or the provider (the reason in `detail`), 422 refused for
 * its fields.
 */
const UPDATE = {
  200: 'PurchaseOrder',
  202: 'RequestInProgress',
  404: 'Problem',
  409: 'Problem',
  ...WRITE,
} as const;

const PO = '/v1/purchase-orders/{provider}/{name}';

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/purchase-orders',
    operationId: 'createPurchaseOrder',
    summary: 'Submit a purchase order (its name is its idempotency key)',
    write: true,
    requestBody: 'CreatePurchaseOrderRequest',
    // 201 started (where to read it); 200 already followed with the same body (the PO); 409 followed
    // with a different body.
    responses: { 201: 'PurchaseOrderSubmitted', 200: 'PurchaseOrder', 409: 'Problem', ...WRITE },
  },
  {
    method: 'GET',
    path: '/v1/purchase-orders',
    operationId: 'listPurchaseOrders',
    summary: 'List purchase orders by name, status, provider, lateness or buyer reference, a page at a time',
    write: false,
    query: {
      name: 'a PO name: the PO at whichever provider follows it',
      status: 'only these statuses (comma-separated)',
      provider: 'only POs at this provider',
      late: 'true: only POs past their must-arrive date without delivery; false: only the others',
      buyerRef: "the buyer's legal entity reference",
      pageSize: 'at most this many POs in the page (1-1000, default 100)',
      pageToken: "the previous page's nextPageToken (opaque)",
    },
    responses: { 200: 'PurchaseOrderPage', 400: 'Problem', ...ALWAYS },
  },
  {
    method: 'GET',
    path: PO,
    operationId: 'getPurchaseOrder',
    summary: 'Read a purchase order: its state and history (as `poflow status --json`)',
    write: false,
    responses: { 200: 'PurchaseOrder', 400: 'Problem', 404: 'Problem', ...ALWAYS },
  },
  {
    method: 'PUT',
    path: PO,
    operationId: 'amendPurchaseOrder',
    summary: 'Amend a purchase order with a full replacement body',
    write: true,
    requestBody: 'AmendPurchaseOrderRequest',
    responses: UPDATE,
  },
  {
    method: 'POST',
    path: `${PO}/cancel`,
    operationId: 'cancelPurchaseOrder',
    summary: 'Cancel a purchase order (before any booking), with a reason',
    write: true,
    requestBody: 'CancelRequest',
    responses: UPDATE,
  },
  {
    method: 'POST',
    path: `${PO}/close`,
    operationId: 'closePurchaseOrder',
    summary: 'Close a booked purchase order',
    write: true,
    requestBody: 'CloseRequest',
    responses: UPDATE,
  },
  {
    method: 'POST',
    path: `${PO}/bookings`,
    operationId: 'bookPurchaseOrder',
    summary: 'Book a purchase order (all of it, or the line items given)',
    write: true,
    requestBody: 'BookingRequest',
    responses: UPDATE,
  },
  {
    method: 'POST',
    path: '/v1/adoptions',
    operationId: 'adoptPurchaseOrder',
    summary: 'Follow a purchase order that already exists at the provider, read by its name',
    write: true,
    requestBody: 'AdoptionRequest',
    // 201 adopted; 200 already followed.
    responses: { 201: 'PurchaseOrder', 200: 'PurchaseOrder', 404: 'Problem', 409: 'Problem', ...WRITE },
  },
  {
    method: 'POST',
    path: '/v1/purchase-orders:batch',
    operationId: 'batchCreatePurchaseOrders',
    summary: 'Submit up to 500 purchase orders: a result for each (started, already followed, refused)',
    write: true,
    requestBody: 'BatchRequest',
    responses: { 200: 'BatchResult', ...WRITE },
  },
];

/** The most POs one batch takes. */
export const MAX_BATCH = 500;

/** A route's path as fastify writes it: `{x}` -> `:x`, a literal `:` doubled (`:batch`). */
export function fastifyPath(path: string): string {
  return path.replace(/:/g, '::').replace(/\{(\w+)\}/g, ':$1');
}
