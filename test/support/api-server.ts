/**
 * The ERP API for the API suites: the real server (client/api/server.ts) listening on a free port
 * in front of the suite's stack (dev server, sandbox, workers), called over HTTP with `fetch` as an
 * ERP would. Two tokens: `erp` writes, `bi` only reads.
 */
import pino from 'pino';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../../client/api/server';
import type { ApiToken } from '../../worker/config';
import type { Json, StackSuite } from './stack';

export const ERP_TOKEN = 'erp-token-0123456789abcdef';
export const READ_TOKEN = 'bi-token-0123456789abcdef';
export const API_TOKENS: ApiToken[] = [
  { name: 'erp', token: ERP_TOKEN, access: 'write' },
  { name: 'bi', token: READ_TOKEN, access: 'read' },
];

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** A raw body, sent as it is (bad JSON, a huge document). */
  raw?: string;
  /** null: no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface ApiSuite {
  readonly url: string;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** `GET` the PO again until `ready` holds (30 s at most): workflows move on their own. */
  readUntil(path: string, ready: (po: Json) => boolean, timeoutMs?: number): Promise<Json>;
}

/** The API in front of the file's stack: started after it, stopped before it. */
export function apiPerFile(
  suite: StackSuite,
  options: Partial<Omit<ApiServerOptions, 'client' | 'providers'>> = {},
): ApiSuite {
  let server: RunningApiServer | undefined;
  beforeAll(async () => {
    const stack = suite.stack;
    server = await startApiServer({
      port: 0,
      host: '127.0.0.1',
      client: stack.client,
      providers: {
        flexport: { baseUrl: stack.sandbox.url, apiToken: 'sandbox', embedded: false, apiTokenSet: true },
        flxpoint: {
          baseUrl: `${stack.sandbox.url}/flxpoint`,
          apiToken: 'sandbox',
          embedded: false,
          apiTokenSet: true,
        },
      },
      tokens: API_TOKENS,
      rateLimit: 1000,
      logger: pino({ level: 'silent' }),
      uiUrlOf: (workflowId) =>
        `${stack.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
      ...options,
    });
  }, 60_000);
  afterAll(async () => server?.close());

  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    if (!server) throw new Error('the API server did not start');
    const token = options.token === undefined ? ERP_TOKEN : options.token;
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body,
    });
    const text = await response.text();
    let parsed: Json;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  return {
    get url() {
      if (!server) throw new Error('the API server did not start');
      return server.url;
    },
    call,
    async readUntil(path, ready, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const read = await call('GET', path);
        if (read.status === 200 && ready(read.body)) return read.body;
        if (Date.now() > deadline) throw new Error(`${path} never got there: ${read.status} ${read.text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

/** The path of a PO: its name percent-encoded. */
export function poPath(provider: string, name: string, rest = ''): string {
  return `/v1/purchase-orders/${provider}/${encodeURIComponent(name)}${rest}`;
}
