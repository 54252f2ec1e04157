/**
 * Flxpoint's purchase-order API over HTTP (`got` + `zod`). The HTTP client never retries:
 * Temporal does, with failures mapped by `toFailure` (../http.ts: 4xx rejected, 429 / 5xx /
 * timeouts retried, `Retry-After` honoured). The token goes into `X-API-TOKEN` and nowhere
 * else: not into errors, not into logs.
 */
import { ApplicationFailure } from '@temporalio/common';
import { HTTPError, type Got } from 'got';
import { z } from 'zod';
import type { FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';
import { FailureTypes } from '../../workflows/core/provider-failures';
import { parseResponse, providerHttp, toFailure } from '../http';

export interface FlxpointClientOptions {
  baseUrl: string;
  apiToken: string;
  /** Per-request timeout; a timeout is retried. */
  timeoutMs?: number;
}

const Reason = z.string().nullish();

export const FlxpointPo = z.looseObject({
  id: z.number().int(),
  purchaseOrderNumber: z.string(),
  orderId: z.number().int().nullish(),
  sourceId: z.number().int().nullish(),
  /** A handle, not an enum: Flxpoint lists more statuses in responses than in requests. */
  purchaseOrderStatus: z.looseObject({ name: z.string(), handle: z.string() }),
  purchaseOrderItems: z
    .array(
      z.looseObject({
        id: z.number().int(),
        orderItemId: z.number().int().nullish(),
        sku: z.string().nullish(),
        quantity: z.number(),
      }),
    )
    .default([]),
  shippedStatus: z.string().nullish(),
  acknowledgedAt: z.string().nullish(),
  canceledAt: z.string().nullish(),
  voidedAt: z.string().nullish(),
  cancelReason: Reason,
  voidedReason: Reason,
  processingErrorReason: Reason,
  lastModifiedAt: z.string().nullish(),
});
export type FlxpointPo = z.output<typeof FlxpointPo>;

/**
 * What a create answers: the new PO, or `number_in_use` when Flxpoint already holds a PO with that
 * number (a 409, e.g. an earlier attempt got through): read it back with `adoptPurchaseOrder`.
 */
export type CreatedFlxpointPo = { outcome: 'created'; po: FlxpointPo } | { outcome: 'number_in_use' };

type Method = 'GET' | 'POST' | 'PUT';

export const SENT_AT_HEADER = 'x-poflow-sent-at';

export class FlxpointClient {
  private readonly http: Got;

  constructor(options: FlxpointClientOptions) {
    this.http = providerHttp('flxpoint', {
      baseUrl: options.baseUrl,
      headers: { 'x-api-token': options.apiToken },
      timeoutMs: options.timeoutMs,
      // When poflow sent it: a log at the provider's end (the sandbox's) can then tell poflow's
      // pacing apart from delays on the way, which poflow does not control.
      beforeRequest: [(request) => void (request.headers[SENT_AT_HEADER] = String(Date.now()))],
    });
  }

  /**
   * `POST /purchase-orders`, one request. A 409 (`PO Number is already in use.`) is answered as
   * `number_in_use` rather than read back here, so every method makes exactly one request and the
   * task queue's rate limit bounds the requests.
   */
  async createPurchaseOrder(body: FlxpointPurchaseOrder): Promise<CreatedFlxpointPo> {
    let created: unknown;
    try {
      created = await this.http.post('purchase-orders', { json: body }).json();
    } catch (err) {
      if (err instanceof HTTPError && err.response.statusCode === 409) return { outcome: 'number_in_use' };
      throw toFailure(err, 'POST', 'purchase-orders');
    }
    return { outcome: 'created', po: parseResponse(FlxpointPo, created, 'Flxpoint') };
  }

  /**
   * The PO holding the body's number after a 409, provided it is the same order and source: a
   * foreign one is never adopted. One request (`GET /purchase-orders?purchaseOrderNumber=`).
   */
  async adoptPurchaseOrder(body: FlxpointPurchaseOrder): Promise<FlxpointPo> {
    const number = body.purchaseOrderNumber;
    const existing = await this.findPurchaseOrderByNumber(number);
    if (!existing) {
      // Retryable: the listing may lag the write that answered 409.
      throw ApplicationFailure.create({
        type: FailureTypes.unavailable,
        message: `PO Number ${number} is already in use but no PO with that number can be read yet`,
      });
    }
    if (existing.orderId !== body.orderId || existing.sourceId !== body.sourceId) {
      throw ApplicationFailure.create({
        type: FailureTypes.rejected,
        message:
          `PO Number ${number} is already in use by purchase order ${existing.id} ` +
          'for another order or source',
        nonRetryable: true,
      });
    }
    return existing;
  }

  async getPurchaseOrder(id: number): Promise<FlxpointPo> {
    return this.send('GET', `purchase-orders/${id}`, FlxpointPo);
  }

  async findPurchaseOrderByNumber(purchaseOrderNumber: string): Promise<FlxpointPo | undefined> {
    const found = await this.send('GET', 'purchase-orders', z.array(FlxpointPo), {
      searchParams: { purchaseOrderNumber },
    });
    // Exact match only, in case the provider's filter matches more loosely.
    return found.find((po) => po.purchaseOrderNumber === purchaseOrderNumber);
  }

  async cancelPurchaseOrder(id: number, reason?: string): Promise<FlxpointPo> {
    return this.send('PUT', `purchase-orders/${id}/cancel`, FlxpointPo, { json: { reason } });
  }

  async voidPurchaseOrder(id: number, reason?: string): Promise<FlxpointPo> {
    return this.send('PUT', `purchase-orders/${id}/void`, FlxpointPo, { json: { reason } });
  }

  private async send<T extends z.ZodType>(
    method: Method,
    url: string,
    schema: T,
    options: { json?: Record<string, unknown>; searchParams?: Record<string, string> } = {},
  ): Promise<z.output<T>> {
    let body: unknown;
    try {
      body = await this.http(url, { method, ...options }).json();
    } catch (err) {
      throw toFailure(err, method, url);
    }
    return parseResponse(schema, body, 'Flxpoint');
  }
}
