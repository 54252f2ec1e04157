/**
 * What the PO workflow shells (Flexport's and Flxpoint's) share: the provider-call retry policy,
 * the workflow clock as ISO text, refusals for update validators, provider refusals read off
 * activity failures, and the Web UI publisher. Workflow code only.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  setCurrentDetails,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import { FailureTypes } from './provider-failures';
import type { FieldIssue } from './parsing';

/**
 * The longest wait between two attempts of a provider call: the retry policy's maximum interval,
 * and the cap on a provider's `Retry-After` (activities/http.ts), which Temporal would otherwise
 * honour however long it is.
 */
export const PROVIDER_RETRY_MAX_INTERVAL_MS = 5 * 60_000;

/**
 * Temporal does the retrying (the HTTP client never retries): 503/504, timeouts and lost
 * connections back off up to five minutes apart for as long as it takes; a `Retry-After` from the
 * provider overrides the next delay, up to the same five minutes; a 4xx fails at once as
 * `ProviderRejected`.
 */
export const PROVIDER_CALL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: PROVIDER_RETRY_MAX_INTERVAL_MS,
  },
};

export function now(): string {
  return new Date(Date.now()).toISOString();
}

/** Rejects an update in its validator: nothing is written to history. */
export function refuseIf(reason: string | undefined): void {
  if (reason)
    throw ApplicationFailure.create({
      type: FailureTypes.requestRefused,
      message: reason,
      nonRetryable: true,
    });
}

export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

/** A PO (or amendment) refused field by field before anything reaches the provider. */
export function purchaseOrderRejected(issues: FieldIssue[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureTypes.purchaseOrderRejected,
    message: describeIssues(issues),
    details: [issues],
    nonRetryable: true,
  });
}

/** A non-retryable activity failure: the provider's status and its own message. */
export function providerRefusal(err: unknown): { status: number; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { status?: unknown } | undefined;
    return { status: typeof details?.status === 'number' ? details.status : 0, message: cause.message };
  }
  throw err;
}

/** Search attributes and current details, sent only when they changed. */
export function uiPublisher(): (searchAttributes: SearchAttributeUpdatePair[], details: string) => void {
  const published = new Map<string, string>();
  return (searchAttributes, details) => {
    const changed = searchAttributes.filter((pair) => {
      const key = pair.key.name;
      const value = JSON.stringify(pair.value);
      if (published.get(key) === value) return false;
      published.set(key, value);
      return true;
    });
    if (changed.length > 0) upsertSearchAttributes(changed);
    if (published.get('details') !== details) {
      published.set('details', details);
      setCurrentDetails(details);
    }
  };
}
