/** Purchase orders over real HTTP: create, amend, versions, lists, line items and every documented 422. */
import { startSandbox, type Sandbox } from '../sandbox/server';
import { booking, call, purchaseOrder } from './support/sandbox-api';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    network: {
      legal_entities: [
        {
          ref: 'extra-seller',
          name: 'Extra Seller',
          mailing_address: {
            city: 'Busan',
            country: 'South Korea',
            country_code: 'KR',
            timezone: 'Asia/Seoul',
          },
        },
      ],
    },
  });
});
afterAll(() => sandbox.close());

async function create(name: string, overrides: Record<string, unknown> = {}) {
  const res = await call(
    sandbox,
    'POST',
    '/purchase_orders?expand=line_items',
    purchaseOrder(name, overrides),
  );
  expect(res.status).toBe(200);
  return res.body.data;
}

async function expect422(body: unknown, message: string, path = '/purchase_orders') {
  const res = await call(sandbox, 'POST', path, body);
  expect(res.body).toEqual({ _object: '/api/error', status: 422, code: expect.any(String), message });
  expect(res.status).toBe(422);
}

/** Books `units` of the PO's line `itemKey` on a new booking. */
async function book(
  po: { line_items: { data: Array<{ id: number; item_key: string }> } },
  itemKey: string,
  units: number,
) {
  const b = await call(sandbox, 'POST', '/bookings', booking(`BK-${itemKey}-${units}`));
  expect(b.status).toBe(200);
  const line = po.line_items.data.find((l) => l.item_key === itemKey)!;
  const bli = await call(sandbox, 'POST', '/booking_line_items', {
    booking_id: b.body.data.id,
    purchase_order_line_item_id: line.id,
    units,
  });
  expect(bli.status).toBe(200);
  return b.body.data.id as number;
}

describe('creating and reading', () => {
  it('creates a PO in the tutorial shape, wrapped in the response envelope', async () => {
    const res = await call(sandbox, 'POST', '/purchase_orders?expand=line_items', purchaseOrder('PO-CREATE'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ _object: '/api/response', version: 3, error: null });
    expect(res.body.self).toBe(`${sandbox.url}/purchase_orders?expand=line_items`);
    const po = res.body.data;
    expect(po).toMatchObject({
      _object: '/purchase_order',
      name: 'PO-CREATE',
      status: 'open',
      incoterm: 'FOB',
      transportation_mode: 'ocean',
      cargo_ready_date: '2031-05-24',
      must_arrive_date: '2031-08-10',
      archived_at: null,
      origin_port: { _object: '/place', address: { unlocode: 'CNYTN' } },
      origin_address: { _object: '/address', ref: 'lex_corp_warehouse' },
      destination_addresses: [{ ref: 'los_angeles' }],
      purchase_order_version: { version_number: 1 },
    });
    expect(po.parties.map((p: { role: string }) => p.role)).toEqual(['buyer', 'seller', 'owner']);
    expect(po.parties[1].company_entity).toMatchObject({
      _object: '/company_entity',
      ref: 'shenzhen-widgets',
    });
    expect(po.line_items).toMatchObject({ _object: '/api/collections/paginated', total_count: 2 });
    const [first, second] = po.line_items.data;
    expect(first).toMatchObject({
      _object: '/purchase_orders/line_item',
      item_key: '1',
      line_item_number: 1,
      units: 500,
      unit_of_measure: 'EA',
      line_type: 'main_line',
      unit_cost: { _object: '/money', amount: '4.65', currency_code: 'USD' },
      purchase_order: {
        _object: '/api/refs/object',
        id: po.id,
        link: `${sandbox.url}/purchase_orders/${po.id}`,
      },
    });
    expect(second.units).toBe(200);
    expect(typeof first.id).toBe('number');

    const get = await call(sandbox, 'GET', `/purchase_orders/${po.id}`);
    expect(get.status).toBe(200);
    expect(get.body.data.line_items).toEqual({
      _object: '/api/refs/collection',
      ref_type: '/purchase_orders/line_item',
      link: `${sandbox.url}/purchase_order_line_items?f.purchase_order.id=${po.id}`,
    });
  });

  it('answers 404 in the error envelope for an unknown PO', async () => {
    const res = await call(sandbox, 'GET', '/purchase_orders/999');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ _object: '/api/error', status: 404, code: 'not_found' });
  });

  it('refuses requests without a valid bearer token', async () => {
    expect((await call(sandbox, 'GET', '/purchase_orders', undefined, null)).status).toBe(401);
    const wrong = await call(sandbox, 'POST', '/purchase_orders', purchaseOrder('PO-NOAUTH'), 'wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ _object: '/api/error', status: 401, code: 'unauthorized' });
    const list = await call(sandbox, 'GET', '/purchase_orders?f.name=PO-NOAUTH');
    expect(list.body.data.total_count).toBe(0);
  });

  it("a line's unit cost takes the PO's currency when it names none", async () => {
    const body = purchaseOrder('PO-LINE-CURRENCY');
    const line = { ...body.line_items[0], unit_cost: { amount: '4.65' } };
    const created = await call(sandbox, 'POST', '/purchase_orders?expand=line_items', {
      ...body,
      currency_code: 'EUR',
      line_items: [line],
    });
    expect(created.status).toBe(200);
    const lines = await call(
      sandbox,
      'GET',
      `/purchase_order_line_items?f.purchase_order.id=${created.body.data.id}`,
    );
    expect(lines.body.data.data[0].unit_cost).toEqual({
      _object: '/money',
      amount: '4.65',
      currency_code: 'EUR',
    });
  });
});

describe('amending', () => {
  it('replaces the whole PO, nulls what is left out, bumps the version and keeps old versions', async () => {
    const v1 = await create('PO-AMEND');
    const body = purchaseOrder('PO-AMEND', { units: undefined });
    const { memo: _memo, must_arrive_date: _mad, ...withoutMemo } = body;
    const res = await call(sandbox, 'POST', '/purchase_orders?expand=line_items', {
      ...withoutMemo,
      line_items: [{ ...body.line_items[0], units: 650 }],
    });
    expect(res.status).toBe(200);
    const v2 = res.body.data;
    expect(v2.id).toBe(v1.id);
    expect(v2.memo).toBeNull();
    expect(v2.must_arrive_date).toBeNull();
    expect(v2.line_items.total_count).toBe(1);
    expect(v2.line_items.data[0]).toMatchObject({ id: v1.line_items.data[0].id, units: 650 });
    expect(v2.purchase_order_version.version_number).toBe(2);
    expect(v2.purchase_order_version.id).not.toBe(v1.purchase_order_version.id);

    const old = await call(
      sandbox,
      'GET',
      `/purchase_orders/${v1.id}?expand=line_items&f.purchase_order_version.id=${v1.purchase_order_version.id}`,
    );
    expect(old.body.data).toMatchObject({ memo: 'first version', must_arrive_date: '2031-08-10' });
    expect(old.body.data.line_items.total_count).toBe(2);

    const oldLines = await call(
      sandbox,
      'GET',
      `/purchase_order_line_items?f.purchase_order_version.id=${v1.purchase_order_version.id}`,
    );
    expect(oldLines.body.data.total_count).toBe(2);
  });

  it('re-sending the same PO makes no new version', async () => {
    const v1 = await create('PO-SAME');
    const again = await create('PO-SAME');
    expect(again.purchase_order_version.id).toBe(v1.purchase_order_version.id);
  });

  it('updates by id, and a different seller under the same name is a new PO', async () => {
    const po = await create('PO-BYID');
    const res = await call(
      sandbox,
      'POST',
      `/purchase_orders/${po.id}`,
      purchaseOrder('PO-BYID', { memo: 'by id' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: po.id,
      memo: 'by id',
      purchase_order_version: { version_number: 2 },
    });
    const other = await create('PO-BYID', {
      parties: [
        { role: 'buyer', external_ref: 'acme-us' },
        { role: 'seller', external_ref: 'ningbo-textiles' },
      ],
    });
    expect(other.id).not.toBe(po.id);
  });
});

describe('listing', () => {
  beforeAll(async () => {
    for (let i = 1; i <= 5; i += 1) await create(`LIST-${i}`, { memo: 'listing' });
    await create('LIST-KR', {
      parties: [
        { role: 'buyer', external_ref: 'acme-us' },
        { role: 'seller', external_ref: 'extra-seller' },
      ],
    });
  });

  it('pages with absolute links and a total count', async () => {
    const all = await call(sandbox, 'GET', '/purchase_orders?per=100');
    const total = all.body.data.total_count as number;
    expect(total).toBeGreaterThanOrEqual(6);

    const page1 = await call(sandbox, 'GET', '/purchase_orders?per=2&f.status=open');
    expect(page1.body.data).toMatchObject({ _object: '/api/collections/paginated', prev: null });
    expect(page1.body.data.data).toHaveLength(2);
    expect(page1.body.data.next).toMatch(new RegExp(`^${sandbox.url}/purchase_orders\\?`));
    const next = new URL(page1.body.data.next);
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('f.status')).toBe('open');

    const page2 = await call(sandbox, 'GET', `${next.pathname}${next.search}`);
    expect(page2.body.data.prev).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/purchase_orders\?.*page=1/);
    const ids1 = page1.body.data.data.map((p: { id: number }) => p.id);
    const ids2 = page2.body.data.data.map((p: { id: number }) => p.id);
    expect(Math.max(...ids1)).toBeLessThan(Math.min(...ids2));

    const desc = await call(sandbox, 'GET', '/purchase_orders?per=1&direction=desc&sort=id');
    expect(desc.body.data.data[0].id).toBe(Math.max(...all.body.data.data.map((p: { id: number }) => p.id)));
  });

  it('filters by name, seller entity, seller company, status, archive and times', async () => {
    const byName = await call(sandbox, 'GET', '/purchase_orders?f.name=LIST-3');
    expect(byName.body.data.total_count).toBe(1);
    const bySeller = await call(sandbox, 'GET', '/purchase_orders?f.seller_entity_ref=extra-seller');
    expect(bySeller.body.data.data.map((p: { name: string }) => p.name)).toEqual(['LIST-KR']);
    const byCompany = await call(
      sandbox,
      'GET',
      '/purchase_orders?f.seller_ref=extra-seller&f.buyer_ref=acme',
    );
    expect(byCompany.body.data.total_count).toBe(1);
    const asSeller = await call(sandbox, 'GET', '/purchase_orders?f.roles=seller');
    expect(asSeller.body.data.total_count).toBe(0);
    const asBuyer = await call(sandbox, 'GET', '/purchase_orders?f.roles=buyer,owner&per=100');
    expect(asBuyer.body.data.total_count).toBeGreaterThanOrEqual(6);
    const archived = await call(sandbox, 'GET', '/purchase_orders?f.archived_at.exists=true');
    expect(archived.body.data.total_count).toBe(0);
    const future = await call(
      sandbox,
      'GET',
      `/purchase_orders?f.created_at.gt=${encodeURIComponent('2999-01-01 00:00:00 PST')}`,
    );
    expect(future.body.data.total_count).toBe(0);
    const past = await call(
      sandbox,
      'GET',
      `/purchase_orders?f.updated_at.gt=2000-01-01T00:00:00Z&f.name=LIST-1`,
    );
    expect(past.body.data.total_count).toBe(1);
  });

  it('lists line items with their filters', async () => {
    const po = (await call(sandbox, 'GET', '/purchase_orders?f.name=LIST-2')).body.data.data[0];
    const lines = await call(sandbox, 'GET', `/purchase_order_line_items?f.purchase_order.id=${po.id}`);
    expect(lines.body.data.total_count).toBe(2);
    expect(lines.body.data.data[0].id).toBeGreaterThan(lines.body.data.data[1].id);
    const byKey = await call(
      sandbox,
      'GET',
      `/purchase_order_line_items?f.purchase_order.id=${po.id}&f.item_key=2`,
    );
    expect(byKey.body.data.data).toHaveLength(1);
    const byNumber = await call(
      sandbox,
      'GET',
      `/purchase_order_line_items?f.purchase_order.id=${po.id}&f.line_item_number=1`,
    );
    expect(byNumber.body.data.data[0].item_key).toBe('1');
    const one = await call(sandbox, 'GET', `/purchase_order_line_items/${byKey.body.data.data[0].id}`);
    expect(one.body.data).toMatchObject({ item_key: '2', product: { sku: 'WIDGET-B', name: 'Widget B' } });
  });

  it.each([
    ['page=0', 'Invalid page. page must be >= 1'],
    ['per=101', 'Invalid per. per must be between 1 and 100 (inclusive)'],
    ['per=0', 'Invalid per. per must be between 1 and 100 (inclusive)'],
    ['direction=sideways', 'Invalid Sort Direction. allowed values: desc, asc'],
    ['sort=name', 'Invalid Sort. allowed values: id'],
  ])('answers 400 invalid_pagination for %s', async (query, message) => {
    const res = await call(sandbox, 'GET', `/purchase_orders?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ _object: '/api/error', status: 400, code: 'invalid_pagination', message });
  });
});

describe('the documented 422s', () => {
  it('cancelling with an active booking', async () => {
    const po = await create('PO-CANCEL-BOOKED');
    await book(po, '1', 100);
    await expect422(
      purchaseOrder('PO-CANCEL-BOOKED', { status: 'cancelled' }),
      'Purchase order PO-CANCEL-BOOKED may not be cancelled since it has an active booking',
    );
  });

  it('cancelling without a booking archives the PO', async () => {
    await create('PO-CANCEL-FREE');
    const res = await call(
      sandbox,
      'POST',
      '/purchase_orders',
      purchaseOrder('PO-CANCEL-FREE', { status: 'cancelled' }),
    );
    expect(res.body.data).toMatchObject({ status: 'cancelled', archived_at: expect.any(String) });
    const archived = await call(
      sandbox,
      'GET',
      '/purchase_orders?f.archived_at.exists=true&f.name=PO-CANCEL-FREE',
    );
    expect(archived.body.data.total_count).toBe(1);
  });

  it('removing booked line items, and requesting fewer units than booked', async () => {
    const po = await create('PO-BOOKED-LINES');
    await book(po, '2', 150);
    const body = purchaseOrder('PO-BOOKED-LINES');
    await expect422(
      { ...body, line_items: [body.line_items[0]] },
      'Cannot remove line items that have been booked',
    );
    await expect422(
      { ...body, line_items: [body.line_items[0], { ...body.line_items[1], units: 149 }] },
      'Cannot update a line item to request fewer units than have already been booked',
    );
    const ok = await call(sandbox, 'POST', '/purchase_orders', {
      ...body,
      line_items: [body.line_items[0], { ...body.line_items[1], units: 150 }],
    });
    expect(ok.status).toBe(200);
  });

  it('changing the seller role', async () => {
    const po = await create('PO-ROLES');
    const swapped = purchaseOrder('PO-ROLES', {
      parties: [
        { role: 'buyer', external_ref: 'shenzhen-widgets' },
        { role: 'seller', external_ref: 'acme-us' },
      ],
    });
    await expect422(swapped, 'Purchase order PO-ROLES: can not change the seller role');
    const otherSeller = purchaseOrder('PO-ROLES', {
      parties: [
        { role: 'buyer', external_ref: 'acme-us' },
        { role: 'seller', external_ref: 'ningbo-textiles' },
      ],
    });
    await expect422(
      otherSeller,
      'Purchase order PO-ROLES: can not change the seller role',
      `/purchase_orders/${po.id}`,
    );
  });

  const base = purchaseOrder('PO-422');
  const line = base.line_items[0]!;
  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown company',
      { parties: [{ role: 'seller', external_ref: 'nobody' }] },
      'Company does not exist for reference nobody',
    ],
    [
      'duplicate item keys',
      { line_items: [line, { ...line }] },
      'Purchase Order PO-422 has multiple line items with same item key',
    ],
    [
      'an unknown origin location',
      { origin_location_ref: 'nowhere' },
      'Unknown origin_location_ref nowhere: location_ref requires a network location set up under the parent company',
    ],
    [
      'an unknown line destination location',
      { line_items: [{ ...line, destination_locations: [{ location_ref: 'atlantis', units: 5 }] }] },
      'Unknown destination_location_ref atlantis: location_ref requires a network location set up under the parent company',
    ],
    [
      'a must-arrive date before creation',
      { cargo_ready_date: null, must_arrive_date: '2004-08-10' },
      `Validation failed: Must arrive date 2004-08-10 is before the purchase order creation date ${new Date().toISOString().slice(0, 10)}`,
    ],
    ['an invalid status', { status: 'shipped' }, 'shipped is not a valid Purchase Order Status'],
    [
      'a new product without a name',
      { line_items: [{ ...line, product: { sku: 'NEW-SKU' } }] },
      'Validation failed: product_name cannot be empty for a new product (sku NEW-SKU)',
    ],
    [
      'a line without a SKU',
      { line_items: [{ ...line, product: { name: 'Nameless' } }] },
      'Validation failed: product_sku must be specified for line item 1',
    ],
    [
      'a unit cost with no currency on the line nor on the PO',
      { currency_code: null, line_items: [{ ...line, unit_cost: { amount: '4.65' } }] },
      'Validation failed: currency_code must be specified for the purchase order or for line item 1',
    ],
    [
      'an unknown unit of measure',
      { line_items: [{ ...line, unit_of_measure: 'BUSHEL' }] },
      'Unknown unit of measure',
    ],
    [
      'an invalid transportation mode',
      { transportation_mode: 'teleport' },
      'Validation failed: teleport is an invalid transportation mode',
    ],
    [
      'a missing transportation mode',
      { transportation_mode: undefined },
      'Validation failed: blank is an invalid transportation mode',
    ],
    ['an invalid incoterm', { incoterm: 'XYZ' }, 'Validation failed: Invalid incoterm XYZ'],
    ['no line items', { line_items: [] }, 'You must specify at least one line item under po_line_items'],
    [
      'missing line items',
      { line_items: undefined },
      'You must specify at least one line item under po_line_items',
    ],
    [
      'cargo ready after must arrive',
      { cargo_ready_date: '2031-09-01', must_arrive_date: '2031-08-10' },
      'cargo_ready_date 2031-09-01 must chronologically precede must_arrive_date 2031-08-10',
    ],
    [
      'an unknown port',
      { origin_port: { code: 'XXZZZ', code_type: 'unlocode' } },
      'Invalid port code XXZZZ: not a known unlocode code',
    ],
    [
      'an invalid role',
      { parties: [{ role: 'captain', external_ref: 'acme-us' }] },
      expect.stringMatching(/^parties\[0\]\.role: /) as unknown as string,
    ],
  ])('refuses %s', async (_what, overrides, message) => {
    await expect422({ ...base, ...overrides }, message);
  });

  it('accepts a known SKU without a name (product library)', async () => {
    const res = await call(
      sandbox,
      'POST',
      '/purchase_orders?expand=line_items',
      purchaseOrder('PO-LIBRARY', {
        line_items: [{ item_key: 'a', product: { sku: 'sku123' }, units: 5 }],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.data.line_items.data[0].product.name).toBe('Cool Product 123');
  });
});
