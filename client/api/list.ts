/**
 * `GET /v1/purchase-orders`: a page of POs from their search attributes through visibility (the
 * raw list call, which has page tokens), never a `state` query per PO (that would replay cold
 * POs). The filters are `poflow list`'s (client/list-query.ts builds the query); `name=` finds a
 * PO at whichever provider follows it. The page token is opaque: the server's own, bound to the
 * query it belongs to.
 */
import { createHash } from 'node:crypto';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { BadInput } from '../errors';
import { listQuery, type ListFilters } from '../list-query';
import { poSummaryOf } from '../commands/list';
import { ApiProblem, PROBLEM_TYPES } from './problems';
import type { Handler } from './context';

const PARAMETERS = ['name', 'status', 'provider', 'late', 'buyerRef', 'pageSize', 'pageToken'] as const;
type Parameter = (typeof PARAMETERS)[number];
/** How the CLI's messages name each filter, and the parameter it is here. */
const OPTIONS: Record<string, Parameter> = {
  name: 'name',
  '--status': 'status',
  '--provider': 'provider',
  '--buyer': 'buyerRef',
};
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const TOKEN_VERSION = 1;
const QUERY_TAG_BYTES = 8;

const badQuery = (parameter: string, message: string) =>
  new ApiProblem(400, PROBLEM_TYPES.badRequest, `${parameter}: ${message}`, [{ path: parameter, message }]);

export const listPurchaseOrders: Handler = async (context, request) => {
  const given = parametersOf(request.query);
  const query = queryOf(given);
  const pageSize = pageSizeOf(given.pageSize);
  const nextPageToken = given.pageToken === undefined ? undefined : pageTokenOf(given.pageToken, query);
  let response;
  try {
    response = await context.client.workflowService.listWorkflowExecutions({
      namespace: context.client.options.namespace,
      query,
      pageSize,
      nextPageToken,
    });
  } catch (err) {
    // The server's own refusal of a token it handed out for this query (expired, another server).
    if (nextPageToken && (err as { code?: number }).code === 3) {
      throw badQuery('pageToken', 'not a page token of this list: start again without it');
    }
    throw err;
  }
  const purchaseOrders = response.executions.map((execution) => {
    const workflowId = execution.execution?.workflowId ?? '';
    const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
    return poSummaryOf(workflowId, attributes, context.uiUrlOf(workflowId));
  });
  const next = response.nextPageToken;
  return {
    status: 200,
    body: { purchaseOrders, ...(next?.length ? { nextPageToken: pageTokenFor(next, query) } : {}) },
  };
};

function parametersOf(
  query: Record<string, string | string[] | undefined>,
): Partial<Record<Parameter, string>> {
  const given: Partial<Record<Parameter, string>> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!(PARAMETERS as readonly string[]).includes(key)) {
      throw badQuery(key, `not a parameter of this list; expected ${PARAMETERS.join(', ')}`);
    }
    // A repeated status adds statuses; any other parameter is given once.
    if (Array.isArray(value) && key !== 'status') throw badQuery(key, 'give it once');
    given[key as Parameter] = Array.isArray(value) ? value.join(',') : value;
  }
  return given;
}

/** The visibility query of the filters, refused in the CLI's words under the parameter's name. */
function queryOf(given: Partial<Record<Parameter, string>>): string {
  const filters: ListFilters = {
    name: given.name,
    status: given.status?.split(',').map((status) => status.trim()),
    provider: given.provider,
    buyer: given.buyerRef,
  };
  if (given.late !== undefined) {
    if (given.late !== 'true' && given.late !== 'false') throw badQuery('late', 'expected true or false');
    filters.late = given.late === 'true';
  }
  try {
    return listQuery(filters);
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    const [, option = '', message = err.message] = /^([^:]+): (.*)$/s.exec(err.message) ?? [];
    throw badQuery(OPTIONS[option] ?? option, message);
  }
}

function pageSizeOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const size = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw badQuery('pageSize', `expected a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** A few bytes of the query's hash: a token handed out for one query is refused for another. */
function queryTag(query: string): Buffer {
  return createHash('sha256').update(query).digest().subarray(0, QUERY_TAG_BYTES);
}

/** The server's token, wrapped: version, the query's tag, the token (base64url). */
export function pageTokenFor(serverToken: Uint8Array, query: string): string {
  return Buffer.concat([Buffer.from([TOKEN_VERSION]), queryTag(query), serverToken]).toString('base64url');
}

/** The server's token inside a page token, or a 400 naming `pageToken`. */
export function pageTokenOf(token: string, query: string): Buffer {
  const bytes = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0);
  const header = 1 + QUERY_TAG_BYTES;
  if (bytes.length <= header || bytes[0] !== TOKEN_VERSION) {
    throw badQuery('pageToken', 'not a page token: pass the nextPageToken of the previous page as it is');
  }
  if (!bytes.subarray(1, header).equals(queryTag(query))) {
    throw badQuery('pageToken', 'belongs to a list with other filters: use it with the same filters');
  }
  return bytes.subarray(header);
}
