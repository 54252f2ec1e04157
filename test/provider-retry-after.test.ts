/**
 * A provider's `Retry-After` becomes the activity's next retry delay, capped at the provider-call
 * retry policy's maximum interval: Temporal takes `nextRetryDelay` as given, so a day-long value
 * would otherwise hold a PO's call for a day. Through the Flexport client against the sandbox over
 * HTTP, and the header's date form as a pure unit.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FlexportClient } from '../activities/flexport/client';
import { retryAfterMs } from '../activities/http';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { PROVIDER_CALL, PROVIDER_RETRY_MAX_INTERVAL_MS } from '../workflows/core/workflow-support';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, apiToken: 'retry-after-token' });
});
afterAll(async () => sandbox.close());

async function faults(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function failureWith(retryAfterSeconds: number): Promise<ApplicationFailure> {
  const client = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'retry-after-token' });
  await faults({ serverErrorRate: 1, retryAfterSeconds });
  try {
    const err = await client.getPurchaseOrder(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  } finally {
    await faults({});
  }
}

test('the cap is the provider-call retry policy maximum interval, five minutes', () => {
  expect(PROVIDER_CALL.retry?.maximumInterval).toBe(PROVIDER_RETRY_MAX_INTERVAL_MS);
  expect(PROVIDER_RETRY_MAX_INTERVAL_MS).toBe(5 * 60_000);
});

test('a 503 asking for a day is retried after the maximum interval, not a day later', async () => {
  const err = await failureWith(86_400);
  expect(err).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
  expect(err.nextRetryDelay).toBe(PROVIDER_RETRY_MAX_INTERVAL_MS);
});

test('a Retry-After under the cap is kept as the provider asked', async () => {
  expect((await failureWith(299)).nextRetryDelay).toBe(299_000);
});

test('the HTTP-date form is capped too, and a date in the past asks for no delay', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  const at = (iso: string) => ({ 'retry-after': new Date(iso).toUTCString() });
  expect(retryAfterMs(at('2024-05-02T10:00:00Z'), now)).toBe(PROVIDER_RETRY_MAX_INTERVAL_MS);
  expect(retryAfterMs(at('2024-05-01T10:02:00Z'), now)).toBe(120_000);
  expect(retryAfterMs(at('2024-05-01T09:00:00Z'), now)).toBe(0);
  expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
});
