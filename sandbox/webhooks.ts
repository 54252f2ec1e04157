/**
 * Webhook delivery: every event is POSTed to every registered endpoint, signed like Flexport
 * (`X-Hub-Signature-256: sha256=<hex>` and `X-Hub-Signature: sha1=<hex>` over the raw body),
 * and retried with exponential backoff until the endpoint answers 200. Fault settings may drop,
 * duplicate or hold back (reorder) deliveries; every outcome lands in the delivery log.
 */
import { createHmac } from 'node:crypto';
import got, { type CancelableRequest, type Response } from 'got';
import { z } from 'zod';
import type { Faults } from './faults';
import type { EventRecord } from './state';

export const WebhookRetrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).default(8),
  initialDelayMs: z.number().int().min(0).default(500),
  maxDelayMs: z.number().int().min(0).default(30_000),
  timeoutMs: z.number().int().min(1).default(5_000),
});
export type WebhookRetryOptions = z.input<typeof WebhookRetrySchema>;
type RetrySettings = z.output<typeof WebhookRetrySchema>;

export interface WebhookEndpoint {
  id: number;
  url: string;
  secret: string;
}

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
}

export interface Delivery {
  id: number;
  event_id: number;
  event_type: string;
  endpoint_id: number;
  url: string;
  /** True for the extra copy of a duplicated delivery. */
  duplicate: boolean;
  held_ms: number;
  outcome: 'pending' | 'delivered' | 'dropped' | 'failed';
  attempts: DeliveryAttempt[];
}

export function sign(body: string, secret: string): { sha256: string; sha1: string } {
  return {
    sha256: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    sha1: `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  };
}

export class WebhookDispatcher {
  private readonly endpoints: WebhookEndpoint[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<CancelableRequest<Response<string>>>();
  private nextEndpointId = 1;
  private closed = false;
  private readonly retry: RetrySettings;

  constructor(
    private readonly faults: Faults,
    retry: WebhookRetryOptions = {},
  ) {
    this.retry = WebhookRetrySchema.parse(retry);
  }

  register(url: string, secret: string): WebhookEndpoint {
    const endpoint = { id: this.nextEndpointId++, url, secret };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  unregister(id: number): boolean {
    const index = this.endpoints.findIndex((e) => e.id === id);
    if (index >= 0) this.endpoints.splice(index, 1);
    return index >= 0;
  }

  /** Registered endpoints, secrets withheld. */
  list() {
    return this.endpoints.map(({ id, url }) => ({ id, url }));
  }

  dispatch(event: EventRecord): void {
    const body = JSON.stringify(event);
    for (const endpoint of this.endpoints) {
      const plan = this.faults.deliveryPlan();
      const delivery = this.record(event, endpoint, false, plan.holdMs);
      if (plan.drop) {
        delivery.outcome = 'dropped';
        continue;
      }
      this.later(plan.holdMs, () => this.attempt(delivery, endpoint, body));
      if (plan.duplicate) {
        const copy = this.record(event, endpoint, true, plan.holdMs + 5);
        this.later(copy.held_ms, () => this.attempt(copy, endpoint, body));
      }
    }
  }

  stats() {
    const count = (outcome: Delivery['outcome']) =>
      this.deliveries.filter((d) => d.outcome === outcome).length;
    return {
      delivered: count('delivered'),
      dropped: count('dropped'),
      failed: count('failed'),
      pending: count('pending'),
      duplicated: this.deliveries.filter((d) => d.duplicate).length,
      deliveries: this.deliveries,
    };
  }

  /** Stops retries and in-flight requests; pending deliveries stay pending. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.inFlight) request.cancel();
  }

  private record(
    event: EventRecord,
    endpoint: WebhookEndpoint,
    duplicate: boolean,
    heldMs: number,
  ): Delivery {
    const delivery: Delivery = {
      id: this.deliveries.length + 1,
      event_id: event.id,
      event_type: event.type,
      endpoint_id: endpoint.id,
      url: endpoint.url,
      duplicate,
      held_ms: heldMs,
      outcome: 'pending',
      attempts: [],
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  private later(delayMs: number, run: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(delivery: Delivery, endpoint: WebhookEndpoint, body: string): Promise<void> {
    const signature = sign(body, endpoint.secret);
    const request = got.post(endpoint.url, {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'poflow-sandbox-webhooks',
        'x-hub-signature-256': signature.sha256,
        'x-hub-signature': signature.sha1,
      },
      retry: 0,
      timeout: this.retry.timeoutMs,
      throwHttpErrors: false,
    });
    this.inFlight.add(request);
    const attempt: DeliveryAttempt = { at: new Date().toISOString(), status: null, error: null };
    delivery.attempts.push(attempt);
    try {
      attempt.status = (await request).statusCode;
    } catch (error) {
      attempt.error = (error as Error).message;
    } finally {
      this.inFlight.delete(request);
    }
    if (this.closed) return;
    if (attempt.status === 200) {
      delivery.outcome = 'delivered';
    } else if (delivery.attempts.length >= this.retry.maxAttempts) {
      delivery.outcome = 'failed';
    } else {
      const backoff = this.retry.initialDelayMs * 2 ** (delivery.attempts.length - 1);
      this.later(Math.min(backoff, this.retry.maxDelayMs), () => this.attempt(delivery, endpoint, body));
    }
  }
}
