/**
 * What both providers' HTTP clients share: a `got` instance that never retries (Temporal does),
 * the reading of a provider's answer, and the mapping of every failure to an ApplicationFailure
 * that tells Temporal whether (and when) to try again. The clients put their token into a header
 * and nowhere else: a failure carries the provider's message and status, never the request.
 */
import { ApplicationFailure } from '@temporalio/common';
import got, { HTTPError, RequestError, type Got, type Headers, type Hooks } from 'got';
import { z } from 'zod';
import { providerRequestHooks } from '../infra/metrics';
import { FailureTypes } from '../workflows/core/provider-failures';
import { PROVIDER_RETRY_MAX_INTERVAL_MS } from '../workflows/core/workflow-support';
import type { Provider } from '../workflows/core/choices';

export interface ProviderHttpOptions {
  baseUrl: string;
  /** The provider's auth header among them. */
  headers: Record<string, string>;
  /** Per-request timeout; a timeout is retried like a 504. */
  timeoutMs?: number;
  beforeRequest?: Hooks['beforeRequest'];
}

/**
 * JSON in and out, every request timed in the provider's metrics, no retries of its own, every
 * non-2xx thrown (for `toFailure` to map).
 */
export function providerHttp(provider: Provider, options: ProviderHttpOptions): Got {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { accept: 'application/json', ...options.headers },
    responseType: 'json',
    retry: { limit: 0 },
    timeout: { request: options.timeoutMs ?? 30_000 },
    throwHttpErrors: true,
    hooks: { ...providerRequestHooks(provider, options.baseUrl), beforeRequest: options.beforeRequest ?? [] },
  });
}

const ErrorBody = z.looseObject({ message: z.string(), code: z.string().optional() });

/** A provider answer we cannot read is not worth retrying: fail with where it broke. */
export function parseResponse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  provider = 'provider',
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw ApplicationFailure.create({
    type: FailureTypes.unexpectedResponse,
    message: `unexpected ${provider} response at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    nonRetryable: true,
  });
}

/** The provider's own message and status; never the request (its headers carry the token). */
export function toFailure(err: unknown, method: string, url: string): ApplicationFailure {
  const where = `${method} ${new URL(url, 'http://x').pathname}`;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const parsed = ErrorBody.safeParse(err.response.body);
    const message = parsed.success ? parsed.data.message : `${where} answered ${status}`;
    const details = [{ status, code: parsed.success ? parsed.data.code : undefined }];
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return ApplicationFailure.create({ type: FailureTypes.rejected, message, details, nonRetryable: true });
    }
    return ApplicationFailure.create({
      type: FailureTypes.unavailable,
      message: `${where}: ${message}`,
      details,
      nextRetryDelay: retryAfterMs(err.response.headers),
    });
  }
  if (err instanceof RequestError) {
    return ApplicationFailure.create({
      type: FailureTypes.unreachable,
      message: `${where}: ${err.code ?? err.name}`,
    });
  }
  return err instanceof ApplicationFailure
    ? err
    : ApplicationFailure.create({ type: FailureTypes.unreachable, message: `${where}: ${String(err)}` });
}

/**
 * `Retry-After` in seconds or as an HTTP date, capped at the retry policy's maximum interval (a
 * provider asking for a day would otherwise hold the call that long: Temporal takes the delay as
 * given); undefined leaves the retry policy's backoff.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), PROVIDER_RETRY_MAX_INTERVAL_MS) : undefined;
}
