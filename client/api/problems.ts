/**
 * The ERP API's errors as RFC 9457 problem documents (`application/problem+json`): `type` names the
 * kind of problem, `detail` says what happened in the CLI's words, and `errors` names each refused
 * field by its path. Bad input is always a 4xx: a refusal in the PO's current state is 409, a
 * request whose fields are wrong 422 (400 when it is not even a request: bad JSON, bad query).
 */
import type { FastifyReply } from 'fastify';
import { BadInput } from '../errors';
import { PoNotFound, ProviderRefusedBody } from '../purchase-order-requests';
import type { FieldIssue } from '../../workflows/core/parsing';

/** What `type` says, besides the status. */
export const PROBLEM_TYPES = {
  badRequest: 'urn:poflow:problem:bad-request',
  invalid: 'urn:poflow:problem:invalid-fields',
  unauthorized: 'urn:poflow:problem:unauthorized',
  forbidden: 'urn:poflow:problem:forbidden',
  notFound: 'urn:poflow:problem:not-found',
  methodNotAllowed: 'urn:poflow:problem:method-not-allowed',
  conflict: 'urn:poflow:problem:refused',
  tooLarge: 'urn:poflow:problem:body-too-large',
  unsupportedMediaType: 'urn:poflow:problem:unsupported-media-type',
  idempotencyKeyReused: 'urn:poflow:problem:idempotency-key-reused',
  rateLimited: 'urn:poflow:problem:rate-limited',
  unavailable: 'urn:poflow:problem:unavailable',
  internal: 'urn:poflow:problem:internal',
} as const;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}

/** An answer that is a problem: thrown by a handler, sent by the server's error handler. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    detail: string,
    readonly errors: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  get document(): ProblemDocument {
    return {
      type: this.type,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...(this.errors.length ? { errors: this.errors.map(({ path, message }) => ({ path, message })) } : {}),
    };
  }
}

/** A request refused for its fields: 422, each field by its path under `prefix`. */
export function invalidFields(detail: string, issues: FieldIssue[], prefix = ''): ApiProblem {
  return new ApiProblem(422, PROBLEM_TYPES.invalid, detail, prefixed(issues, prefix));
}

/** `prefix` and `path` joined as the CLI writes paths: `purchaseOrder.line_items[1].units`. */
export function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

export function prefixed(issues: FieldIssue[], prefix: string): FieldIssue[] {
  return issues.map((issue) => ({ path: joinPath(prefix, issue.path), message: issue.message }));
}

/**
 * A failure as the problem it answers: a problem as it is; a missing PO 404; the provider's
 * refusal of a body, or a refusal naming fields, 422 (paths under `prefix`); any other bad input
 * (a rule of the PO's lifecycle, the provider refusing in the PO's state) 409; anything else 500.
 */
export function problemOf(err: unknown, prefix = ''): ApiProblem {
  if (err instanceof ApiProblem) return err;
  if (err instanceof PoNotFound) return new ApiProblem(404, PROBLEM_TYPES.notFound, err.message);
  if (err instanceof ProviderRefusedBody) return invalidFields(err.message, err.issues, prefix);
  if (err instanceof BadInput) {
    return err.issues.length
      ? invalidFields(err.message, err.issues, prefix)
      : new ApiProblem(409, PROBLEM_TYPES.conflict, err.message);
  }
  if (temporalUnavailable(err)) {
    return new ApiProblem(503, PROBLEM_TYPES.unavailable, 'Temporal did not answer: try again shortly', [], {
      'retry-after': '5',
    });
  }
  return new ApiProblem(500, PROBLEM_TYPES.internal, 'the request failed inside poflow; see its log');
}

/** gRPC's UNAVAILABLE (14) or DEADLINE_EXCEEDED (4) anywhere down the cause chain. */
function temporalUnavailable(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 10; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 14 || code === 4) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The code of the server's own JSON parser's refusal. */
export const INVALID_JSON = 'POFLOW_INVALID_JSON';

/** What fastify itself refuses (body parsing, limits) as a problem; undefined for anything else. */
export function frameworkProblem(err: { statusCode?: number; code?: string; message?: string }) {
  const status = err.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const detail = err.message ?? 'bad request';
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiProblem(413, PROBLEM_TYPES.tooLarge, `the request body is too large: ${detail}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiProblem(
        415,
        PROBLEM_TYPES.unsupportedMediaType,
        'the request body must be JSON (Content-Type: application/json)',
      );
    case INVALID_JSON:
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiProblem(400, PROBLEM_TYPES.badRequest, `the request body is not valid JSON: ${detail}`);
    default:
      return new ApiProblem(status, PROBLEM_TYPES.badRequest, detail);
  }
}

export function sendProblem(reply: FastifyReply, problem: ApiProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply.code(problem.status).type('application/problem+json').send(problem.document);
}
