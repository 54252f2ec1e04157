/**
 * What every API handler is given and answers: the Temporal client (the project's one client
 * factory, codec included), the providers' connections (for adoption), the Web UI's links, the
 * default wait; a request reduced to its parts, and an answer as status, headers and body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Client } from '@temporalio/client';
import type { ProviderConnection } from '../../providers';
import type { Provider } from '../../workflows/core/choices';
import type { FoundPo } from '../purchase-order-requests';
import { providerOf } from '../purchase-order-requests';
import type { Caller } from './auth';
import { ApiProblem, PROBLEM_TYPES } from './problems';

export interface ApiContext {
  client: Client;
  /** Where each provider is read when a PO is adopted. */
  providers: { [P in Provider]: ProviderConnection };
  uiUrlOf: (workflowId: string) => string | undefined;
  /** How long an update waits for its outcome without `Prefer: wait=N`. */
  defaultWaitSeconds: number;
}

export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  body: unknown;
  headers: IncomingHttpHeaders;
  caller: Caller;
}

export interface ApiAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type Handler = (context: ApiContext, request: ApiRequest) => Promise<ApiAnswer>;

/** The longest `Prefer: wait=N` honoured. */
export const MAX_WAIT_SECONDS = 60;

/** Where a PO is read: its name percent-encoded (names may contain `/`). */
export function poLocation(po: FoundPo): string {
  return `/v1/purchase-orders/${po.provider}/${encodeURIComponent(po.name)}`;
}

/** The PO a path names; an unknown provider is a PO that is not there (404, naming it). */
export function poOfPath(params: Record<string, string>): FoundPo {
  const provider = params.provider ?? '';
  try {
    return { provider: providerOf(provider, 'provider'), name: params.name ?? '' };
  } catch (err) {
    const message = (err as Error).message;
    throw new ApiProblem(404, PROBLEM_TYPES.notFound, message, [
      { path: 'provider', message: message.replace(/^provider: /, '') },
    ]);
  }
}

/**
 * The seconds an update waits: `Prefer: wait=N` (RFC 7240), at most MAX_WAIT_SECONDS and at least
 * 1, else the default; with the preference applied, for `Preference-Applied`.
 */
export function preferredWait(
  prefer: string | string[] | undefined,
  defaultSeconds: number,
): { seconds: number; applied?: string } {
  const header = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,9})"?(?=$|[,;\s])/i.exec(header);
  if (!match) return { seconds: defaultSeconds };
  const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, Number(match[1])));
  return { seconds, applied: `wait=${seconds}` };
}
