/**
 * poflow's own Prometheus metrics (names prefixed `poflow_`), in one registry that the operations
 * server (`infra/operations.ts`) serves beside the Temporal SDK's worker metrics. Counters are
 * incremented where things happen; the webhook counts and the reconciler's lag are read at scrape
 * time, so the receiver's hot path does no more than it did. It lives in infra/, which imports no
 * other project folder, so every process (activities, worker, webhooks) counts into it and it
 * depends on none of them: a provider label is the provider's name, a plain string.
 */
import type { Hooks } from 'got';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

export const providerRequests = new Histogram({
  name: 'poflow_provider_request_duration_seconds',
  help:
    'Provider API requests by provider, endpoint and outcome (HTTP status class, ' +
    'timeout or error), and how long they took',
  labelNames: ['provider', 'endpoint', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const alertsRaised = new Counter({
  name: 'poflow_alerts_total',
  help: 'Alerts raised, by kind (late, booking_overdue)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const reconcilerEventsRecovered = new Counter({
  name: 'poflow_reconciler_events_recovered_total',
  help:
    "Provider events the reconciler delivered from the provider's event log (missed or not yet " +
    'acknowledged by the receiver)',
  labelNames: ['provider'] as const,
  registers: [registry],
});

export const reconcilerDeadLetters = new Counter({
  name: 'poflow_reconciler_dead_letters_total',
  help:
    'Provider events the reconciler gave up on after its tries (dead letters), by why they failed: ' +
    "schema (the event's envelope), rejected (the provider refused a lookup, 4xx), failed (another " +
    'non-retryable error)',
  labelNames: ['provider', 'kind'] as const,
  registers: [registry],
});

const lastCompleteWalk = new Map<string, number>();

/** The reconciler read the provider's event log to its end: nothing older than now is missed. */
export function reconcilerCaughtUp(provider: string, at = Date.now()): void {
  lastCompleteWalk.set(provider, at);
}

new Gauge({
  name: 'poflow_reconciler_lag_seconds',
  help: 'Seconds since the reconciler last read the provider event log to its end',
  labelNames: ['provider'] as const,
  registers: [registry],
  collect() {
    for (const [provider, at] of lastCompleteWalk) this.set({ provider }, (Date.now() - at) / 1000);
  },
});

/** What a webhook receiver counts, by outcome (its `counts`); read at scrape time. */
export interface WebhookOutcomes {
  delivered: number;
  /** Events whose POs have all finished: delivered and ignored. */
  closedPo: number;
  /** Events for a PO poflow does not know: recorded and dropped (under `adopt`: it could not be adopted). */
  unknownPo: number;
  /** Events that started their PO's workflow by adoption (also counted as delivered). */
  adoptedPo: number;
  /** Events that concern no PO. */
  unrouted: number;
  /** Repeats of an event this receiver delivered recently: answered 200 and not sent again. */
  duplicate: number;
  refused: { signature: number; malformed: number; tooLarge: number };
  unavailable: number;
}

const receivers = new Set<WebhookOutcomes>();

/** Counts this receiver's deliveries until the returned function is called (at close). */
export function observeWebhookReceiver(outcomes: WebhookOutcomes): () => void {
  receivers.add(outcomes);
  return () => receivers.delete(outcomes);
}

new Counter({
  name: 'poflow_webhook_deliveries_total',
  help:
    'Webhook requests by outcome: delivered, closed_po, unknown_po, adopted_po (also delivered), ' +
    'unrouted, duplicate, refused (with its reason), unavailable (answered 503)',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const counts of receivers) {
      this.inc({ outcome: 'delivered' }, counts.delivered);
      this.inc({ outcome: 'closed_po' }, counts.closedPo);
      this.inc({ outcome: 'unknown_po' }, counts.unknownPo);
      this.inc({ outcome: 'adopted_po' }, counts.adoptedPo);
      this.inc({ outcome: 'unrouted' }, counts.unrouted);
      this.inc({ outcome: 'duplicate' }, counts.duplicate);
      this.inc({ outcome: 'refused', reason: 'signature' }, counts.refused.signature);
      this.inc({ outcome: 'refused', reason: 'malformed' }, counts.refused.malformed);
      this.inc({ outcome: 'refused', reason: 'too_large' }, counts.refused.tooLarge);
      this.inc({ outcome: 'unavailable' }, counts.unavailable);
    }
  },
});

export const eventPosBeyondCap = new Counter({
  name: 'poflow_webhook_event_pos_beyond_cap_total',
  help:
    'POs a provider event concerned beyond the most one event may reach (MAX_POS_PER_EVENT in ' +
    'webhooks/delivery.ts): not signalled, looked up or adopted',
  labelNames: ['provider'] as const,
  registers: [registry],
});

export const purchaseOrders = new Gauge({
  name: 'poflow_purchase_orders',
  help: 'Purchase orders by status, from a visibility count refreshed on an interval',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const latePurchaseOrders = new Gauge({
  name: 'poflow_purchase_orders_late',
  help:
    'Open or booked purchase orders past their must-arrive date without delivery (PoLate), from a ' +
    'visibility count',
  registers: [registry],
});

export const apiRequests = new Counter({
  name: 'poflow_api_requests_total',
  help: 'Requests to the ERP API by route (its OpenAPI path; unmatched for none), method and status code',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const apiRequestSeconds = new Histogram({
  name: 'poflow_api_request_seconds',
  help:
    'How long the ERP API took to answer, by route, method and status code (updates include their ' +
    'wait for the outcome, up to Prefer: wait)',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

/**
 * got hooks that time every request of a provider client. The endpoint is the method and the path
 * under the client's base URL with ids replaced by `:id`, so the label set stays small.
 */
export function providerRequestHooks(provider: string, baseUrl: string): Partial<Hooks> {
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const endpoint = (method: string, url: URL | string | undefined) => {
    const path = url ? new URL(url.toString()).pathname : '';
    const relative = path.startsWith(basePath) ? path.slice(basePath.length) : path;
    return `${method} ${relative.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
  };
  const observe = (method: string, url: URL | string | undefined, outcome: string, ms?: number) =>
    providerRequests.observe({ provider, endpoint: endpoint(method, url), outcome }, (ms ?? 0) / 1000);
  return {
    afterResponse: [
      (response) => {
        const outcome = `${Math.floor(response.statusCode / 100)}xx`;
        observe(response.request.options.method, response.url, outcome, response.timings.phases.total);
        return response;
      },
    ],
    beforeError: [
      (error) => {
        // Responses were observed above; here only requests that got none.
        if (!error.response) {
          const outcome = error.name === 'TimeoutError' ? 'timeout' : 'error';
          const started = error.timings?.start;
          observe(error.options.method, error.options.url, outcome, started ? Date.now() - started : 0);
        }
        return error;
      },
    ],
  };
}
