/** Helpers for the sandbox suites: HTTP calls, a PO body, and a real local webhook receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import got from 'got';
import type { Sandbox } from '../../sandbox/server';
import { FIXTURE_TRADE, widgetALine } from './purchase-orders';

export interface ApiResult {
  status: number;
  // Responses are checked field by field in the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: http.IncomingHttpHeaders;
}

export async function call(
  sandbox: Sandbox,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  token: string | null = 'sandbox',
): Promise<ApiResult> {
  const response = await got(`${sandbox.url}${path}`, {
    method,
    json: body as Record<string, unknown> | undefined,
    headers: token === null ? {} : { authorization: `Bearer ${token}`, 'flexport-version': '3' },
    responseType: 'json',
    throwHttpErrors: false,
    retry: 0,
  });
  return { status: response.statusCode, body: response.body, headers: response.headers };
}

/** A valid PO in the fixture network, due well in the future. */
export function purchaseOrder(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    status: 'open',
    order_class: 'purchase_order',
    memo: 'first version',
    ...FIXTURE_TRADE,
    cargo_ready_date: '2031-05-24',
    must_arrive_date: '2031-08-10',
    line_items: [
      widgetALine('1'),
      { item_key: '2', product: { sku: 'WIDGET-B', name: 'Widget B' }, units: '200' },
    ],
    ...overrides,
  };
}

export function booking(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    shipper_entity_ref: 'shenzhen-widgets',
    consignee_entity_ref: 'acme-us',
    origin_address_ref: 'lex_corp_warehouse',
    destination_address_ref: 'los_angeles',
    cargo_ready_date: '2031-05-24',
    ocean_booking: {
      is_lcl: false,
      incoterm: 'FOB',
      origin_port_loc_code: 'CNYTN',
      destination_port_loc_code: 'USLAX',
    },
    ...overrides,
  };
}

export interface Received {
  raw: string;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  event: any;
}

/** A webhook endpoint; `status` decides the answer to the n-th request (0-based). */
export async function startReceiver(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const code = status(requests++);
      if (code === 200) {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ raw, headers: req.headers, event: JSON.parse(raw) });
      }
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/flexport`,
    received,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
