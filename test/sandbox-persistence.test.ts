/** State survives a restart with dbFile (a SQLite file), including the network extended at run time. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../sandbox/server';
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
    reader.prepare<[], { kind: string; n: number }>('SELECT kind, count(*) AS n FROM records GROUP BY kind').all(); // prettier-ignore
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
