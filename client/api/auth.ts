/**
 * Who calls the ERP API: a bearer token from `POFLOW_API_TOKENS` (or the generated
 * `.data/api-tokens`), compared in constant time. A caller is known by its token's name (what the
 * log and the rate limit use; the token itself is never logged); a `:read` token may only read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiToken } from '../../worker/config';
import { ApiProblem, PROBLEM_TYPES } from './problems';
import type { ApiRoute } from './routes';

export interface Caller {
  name: string;
  access: ApiToken['access'];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on the API's routes. */
    caller?: Caller;
  }
  interface FastifyContextConfig {
    /** The API_ROUTES entry a route serves. */
    apiRoute?: ApiRoute;
  }
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * The caller a request's `Authorization: Bearer <token>` names, or undefined. Every configured
 * token is compared, each as a SHA-256 digest (equal lengths for `timingSafeEqual`), so the time
 * taken says nothing about which token came close.
 */
export function tokenVerifier(tokens: readonly ApiToken[]): (authorization?: string) => Caller | undefined {
  const known = tokens.map((token) => ({ digest: digest(token.token), caller: callerOf(token) }));
  return (authorization) => {
    const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: Caller | undefined;
    for (const token of known) {
      if (timingSafeEqual(presented, token.digest)) found = token.caller;
    }
    return found;
  };
}

function callerOf(token: ApiToken): Caller {
  return { name: token.name, access: token.access };
}

const CHALLENGE = 'Bearer realm="poflow"';

/**
 * The API routes' onRequest hook: 401 without a known token, 403 for a read-only token on a
 * write. Sets `request.caller`.
 */
export function authenticate(tokens: readonly ApiToken[]) {
  const verify = tokenVerifier(tokens);
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const caller = verify(header);
    if (!caller) {
      throw new ApiProblem(
        401,
        PROBLEM_TYPES.unauthorized,
        header
          ? 'the bearer token is not one of POFLOW_API_TOKENS'
          : 'no bearer token: send Authorization: Bearer <token> (a token of POFLOW_API_TOKENS)',
        [],
        { 'www-authenticate': header ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE },
      );
    }
    request.caller = caller;
    if (request.routeOptions.config.apiRoute?.write && caller.access === 'read') {
      throw new ApiProblem(
        403,
        PROBLEM_TYPES.forbidden,
        `the token ${caller.name} may only read (":read" in POFLOW_API_TOKENS); this request writes`,
      );
    }
  };
}
