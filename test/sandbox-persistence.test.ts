/**
 * State survives a restart with dbFile (a SQLite file), including the network extended at run time
 * and the Flxpoint emulator's POs (its rate limiter and request log stay in memory).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import got from 'got';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { flxpointMoves, sampleFlxpointPurchaseOrder as samplePo } from './support/flxpoint-purchase-orders';
import { booking, call, purchaseOrder } from './support/sandbox-api';

it('keeps POs, versions, bookings, shipments, events and the network across a restart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-db-'));
  const dbFile = path.join(dir, 'sandbox.sqlite');
  try {
    const first = await startSandbox({ port: 0, dbFile });
    const added = await call(
      first,
      'POST',
      '/_sandbox/network',
      {
        legal_entities: [
          {
            ref: 'hanoi-shoes',
            name: 'Hanoi Shoes',
            mailing_address: {
              city: 'Hanoi',
              country: 'Vietnam',
              country_code: 'VN',
              timezone: 'Asia/Ho_Chi_Minh',
            },
          },
        ],
      },
      null,
    );
    expect(added.status).toBe(200);
    const parties = [
      { role: 'buyer', external_ref: 'acme-us' },
      { role: 'seller', external_ref: 'hanoi-shoes' },
    ];
    const created = await call(
      first,
      'POST',
      '/purchase_orders?expand=line_items',
      purchaseOrder('PO-PERSIST', { parties }),
    );
    expect(created.status).toBe(200);
    await call(first, 'POST', '/purchase_orders', purchaseOrder('PO-PERSIST', { parties, memo: 'second' }));
    const b = await call(first, 'POST', '/bookings', booking('BK-PERSIST'));
    await call(first, 'POST', '/booking_line_items', {
      booking_id: b.body.data.id,
      purchase_order_line_item_id: created.body.data.line_items.data[0].id,
      units: 10,
    });
    const confirmed = await call(
      first,
      'POST',
      `/_sandbox/bookings/${b.body.data.id}/confirm`,
      undefined,
      null,
    );
    await first.close();
    expect(fs.statSync(dbFile).size).toBeGreaterThan(0);
    expect(fs.readFileSync(dbFile).subarray(0, 15).toString()).toBe('SQLite format 3');

    const second = await startSandbox({ port: 0, dbFile });
    try {
      const po = await call(second, 'GET', `/purchase_orders/${created.body.data.id}`);
      expect(po.body.data).toMatchObject({
        name: 'PO-PERSIST',
        memo: 'second',
        purchase_order_version: { version_number: 2 },
      });
      const v1 = await call(
        second,
        'GET',
        `/purchase_orders/${created.body.data.id}?f.purchase_order_version.id=${created.body.data.purchase_order_version.id}`,
      );
      expect(v1.body.data.memo).toBe('first version');
      const shipment = await call(second, 'GET', `/shipments/${confirmed.body.data.shipment.id}`);
      expect(shipment.body.data.metadata.purchase_order).toEqual(['PO-PERSIST']);
      const events = await call(second, 'GET', '/events');
      expect(events.body.data.data.map((e: { type: string }) => e.type)).toEqual([
        '/purchase_order#created',
        '/purchase_order#updated',
        '/shipment#created',
        '/shipment#booking_confirmed',
      ]);
      // Booked units survived too: the documented rule still bites.
      const shrink = await call(
        second,
        'POST',
        '/purchase_orders',
        purchaseOrder('PO-PERSIST', {
          parties,
          line_items: [purchaseOrder('x').line_items[1]],
        }),
      );
      expect(shrink.body.message).toBe('Cannot remove line items that have been booked');
      // New ids continue after the saved ones.
      const next = await call(second, 'POST', '/purchase_orders', purchaseOrder('PO-PERSIST-2'));
      expect(next.body.data.id).toBeGreaterThan(created.body.data.id);
    } finally {
      await second.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('writes each change to the file before answering, one row per record it touched', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-db-'));
  const dbFile = path.join(dir, 'sandbox.sqlite');
  const sandbox = await startSandbox({ port: 0, dbFile });
  // Another connection to the same file sees exactly what has been committed.
  const reader = new Database(dbFile, { readonly: true });
  const rows = () =>
    reader
      .prepare<[], { kind: string; n: number }>('SELECT kind, count(*) AS n FROM records GROUP BY kind')
      .all();
  try {
    for (const name of ['PO-ROW-1', 'PO-ROW-2', 'PO-ROW-3']) {
      expect((await call(sandbox, 'POST', '/purchase_orders', purchaseOrder(name))).status).toBe(200);
    }
    expect(rows()).toEqual([
      { kind: 'event', n: 3 },
      { kind: 'purchase_order', n: 3 },
    ]);
    // An amendment rewrites its PO's row and adds its event; the other POs' rows stay as they were.
    const before = reader.prepare('SELECT id, document FROM records WHERE kind = ?').all('purchase_order');
    await call(sandbox, 'POST', '/purchase_orders', purchaseOrder('PO-ROW-2', { memo: 'amended' }));
    const after = reader.prepare('SELECT id, document FROM records WHERE kind = ?').all('purchase_order');
    expect(after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]))).toHaveLength(1);
    expect(rows()).toContainEqual({ kind: 'event', n: 4 });
  } finally {
    reader.close();
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps Flxpoint POs across a restart: status, items, cancel and void, the ids that follow', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-db-'));
  const dbFile = path.join(dir, 'sandbox.sqlite');
  type FlxPo = Record<string, unknown> & { id: number };
  // Flxpoint admits 2 requests a second per token: a 429 is retried after its Retry-After.
  const flxpoint = (sandbox: Sandbox) =>
    got.extend({
      prefixUrl: `${sandbox.url}/flxpoint`,
      headers: { 'x-api-token': 'sandbox' },
      responseType: 'json',
      throwHttpErrors: false,
      retry: { limit: 5, methods: ['GET', 'POST', 'PUT'], statusCodes: [429] },
    });
  // Every PO by number through the counterpart side, which spends no request budget.
  const everyPo = async (sandbox: Sandbox) => {
    const response = await got(`${sandbox.url}/_sandbox/flxpoint/purchase-orders`).json<FlxPo[]>();
    return new Map(response.map((po) => [po.purchaseOrderNumber as string, po]));
  };
  const numbers = ['FLX-P-OPEN', 'FLX-P-CANCELED', 'FLX-P-VOIDED'];
  let before = new Map<string, FlxPo>();
  try {
    const first = await startSandbox({ port: 0, dbFile });
    try {
      const api = flxpoint(first);
      const ids = new Map<string, number>();
      for (const number of numbers) {
        const created = await api.post('purchase-orders', { json: samplePo(number) });
        expect(created.statusCode).toBe(201);
        ids.set(number, (created.body as unknown as FlxPo).id);
      }
      await flxpointMoves(first.url, 'FLX-P-OPEN', 'acknowledged');
      const cancel = await api.put(`purchase-orders/${ids.get('FLX-P-CANCELED')}/cancel`, {
        json: { reason: 'no stock' },
      });
      expect(cancel.statusCode).toBe(200);
      const voiding = await api.put(`purchase-orders/${ids.get('FLX-P-VOIDED')}/void`, {
        json: { reason: 'duplicate' },
      });
      expect(voiding.statusCode).toBe(200);
      before = await everyPo(first);
    } finally {
      await first.close();
    }

    const second = await startSandbox({ port: 0, dbFile });
    try {
      const api = flxpoint(second);
      // Each PO reads back by number, as poflow reads it, field for field as it was before the restart.
      const after = new Map<string, FlxPo>();
      for (const number of numbers) {
        const read = await api.get('purchase-orders', { searchParams: { purchaseOrderNumber: number } });
        expect(read.statusCode).toBe(200);
        expect(read.body).toEqual([before.get(number)]);
        after.set(number, (read.body as unknown as FlxPo[])[0]!);
      }
      expect(after.get('FLX-P-OPEN')).toMatchObject({
        purchaseOrderStatus: { handle: 'acknowledged' },
        acknowledgedAt: expect.any(String),
        purchaseOrderItems: [
          { lineItemNumber: 1, sku: 'WIDGET-1', quantity: 3, acknowledgedQuantity: 3 },
          { lineItemNumber: 2, inventoryVariantId: 4242, quantity: 2, acknowledgedQuantity: 2 },
        ],
      });
      expect(after.get('FLX-P-CANCELED')).toMatchObject({
        purchaseOrderStatus: { handle: 'canceled' },
        canceledAt: expect.any(String),
        cancelReason: 'no stock',
        purchaseOrderItems: [{ canceledQuantity: 3 }, { canceledQuantity: 2 }],
      });
      const voided = after.get('FLX-P-VOIDED')!;
      expect(voided).toMatchObject({
        purchaseOrderStatus: { handle: 'voided' },
        voidedAt: expect.any(String),
        voidedReason: 'duplicate',
      });
      // By id too (the read that answered 404 after a restart), and a voided PO stays voided.
      expect((await api.get(`purchase-orders/${voided.id}`)).body).toEqual(voided);
      expect((await api.put(`purchase-orders/${voided.id}/cancel`)).statusCode).toBe(409);
      // A number in use stays in use; new ids continue after the saved ones, none handed out twice.
      expect((await api.post('purchase-orders', { json: samplePo('FLX-P-OPEN') })).statusCode).toBe(409);
      const next = await api.post('purchase-orders', { json: samplePo('FLX-P-NEXT') });
      expect(next.statusCode).toBe(201);
      const made = next.body as unknown as FlxPo;
      expect(made.id).toBeGreaterThan(voided.id);
      const idsOf = (po: FlxPo) => [
        po.shippingAddressId,
        po.billingAddressId,
        ...(po.purchaseOrderItems as FlxPo[]).map((item) => item.id),
      ];
      const earlier = [...before.values()].flatMap(idsOf);
      expect(idsOf(made).filter((id) => earlier.includes(id))).toEqual([]);
    } finally {
      await second.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
