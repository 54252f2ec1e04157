/**
 * `poflow demo`: submits the example POs (under names tagged for this run) and plays the
 * provider's other side in the sandbox, so the Web UI shows POs in several states within a
 * minute: open, acknowledged, booked in transit, closed after delivery, cancelled, and one the
 * provider refused. Acknowledgements and milestones reach the workflows as webhooks, so this needs
 * the whole stack (`poflow start`).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../worker/temporal-binaries';
import {
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  stateQuery,
  type PoView,
} from '../../workflows/flexport/messages';
import type { Booking, PurchaseOrder } from '../../workflows/flexport/purchase-order';
import { flagsOf } from '../../providers';
import { queryUiUrl, table, workflowUiUrl } from '../format';
import { planImport } from '../import-file';
import { poBodyOf, startPurchaseOrder } from '../purchase-orders';
import { SandboxCounterpart } from '../sandbox-counterpart';
import { print, type Session } from '../session';

const EXAMPLES = path.join(PROJECT_ROOT, 'examples');
const WAIT_MS = 30_000;

interface Play {
  po: PurchaseOrder;
  handle: WorkflowHandle;
  counterpart: SandboxCounterpart;
  say(line: string): void;
}

interface Scenario {
  /** An example PO: a JSON file, or a PO name in examples/purchase-orders.csv. */
  example: string;
  story: string;
  play(play: Play): Promise<unknown>;
}

const SCENARIOS: Scenario[] = [
  {
    example: 'po-1001-widgets.json',
    story: 'acknowledged, partly booked, departed and arrived',
    play: async (p) => {
      await acknowledged(p);
      const booking = await bookFromFile(p, 'booking-1001.json');
      await shipped(p, booking, 'arrived');
    },
  },
  {
    example: 'po-1002-textiles.json',
    story: 'booked in full, delivered in full, closed',
    play: async (p) => {
      await acknowledged(p);
      const booking = await book(p, { name: `${p.po.name}-B1` });
      await shipped(p, booking, 'delivered_in_full');
      await p.handle.executeUpdate(closeUpdate, { args: [undefined] });
      p.say('closed');
    },
  },
  { example: 'po-1003-air.json', story: 'open and acknowledged', play: acknowledged },
  {
    example: 'po-1004-unknown-port.json',
    story: 'refused by the provider (unknown port): needs attention',
    play: async (p) => {
      const view = await waitFor(p, (v) => v.status === 'needs_attention', 'the provider to refuse it');
      p.say(`needs attention: ${view.lastError?.message}`);
    },
  },
  { example: 'PO-2001', story: 'open, not yet acknowledged', play: accepted },
  { example: 'PO-2002', story: 'open, not yet acknowledged', play: accepted },
  {
    example: 'PO-2003',
    story: 'cancelled before booking',
    play: async (p) => {
      await accepted(p);
      await p.handle.executeUpdate(cancelUpdate, { args: ['demo: withdrawn by the buyer'] });
      p.say('cancelled');
    },
  },
];

export async function runDemo(session: Session, options: { tag?: string }): Promise<void> {
  const tag = options.tag ?? new Date().toISOString().slice(2, 19).replace(/[-:]/g, '').replace('T', '-');
  const counterpart = new SandboxCounterpart(session.config.flexport.baseUrl);
  await counterpart.check();
  const examples = await loadExamples();

  const played = await Promise.all(
    SCENARIOS.map(async (scenario) => {
      const po = { ...examples.get(scenario.example)! };
      po.name = `${po.name}-${tag}`;
      const say = (line: string) => {
        if (!session.json) console.log(`${po.name}: ${line}`);
      };
      const started = await startPurchaseOrder(session.client, po);
      say(started.alreadyStarted ? 'already submitted' : 'submitted');
      const handle = session.client.workflow.getHandle(started.workflowId);
      await scenario.play({ po, handle, counterpart, say });
      const view = await handle.query(stateQuery);
      return {
        name: po.name,
        story: scenario.story,
        status: view.status,
        flags: flagsOf(view),
        workflowId: started.workflowId,
        uiUrl: workflowUiUrl(session.config, started.workflowId),
      };
    }),
  );

  const query = `PoName IN (${played.map((p) => `"${p.name}"`).join(', ')})`;
  const uiUrl = queryUiUrl(session.config, query);
  print(session, { tag, purchaseOrders: played, uiUrl }, () =>
    [
      '',
      table([
        ['NAME', 'STATUS', 'FLAGS', 'STORY'],
        ...played.map((p) => [p.name, p.status, p.flags.join(', '), p.story]),
      ]),
      ...(uiUrl ? ['', `In the Web UI: ${uiUrl}`] : []),
    ].join('\n'),
  );
}

/** The example POs by file name, and the CSV example's POs by PO name. */
async function loadExamples(): Promise<Map<string, PurchaseOrder>> {
  const examples = new Map<string, PurchaseOrder>();
  for (const scenario of SCENARIOS.filter((s) => s.example.endsWith('.json'))) {
    const po = JSON.parse(await readFile(path.join(EXAMPLES, scenario.example), 'utf8')) as PurchaseOrder;
    examples.set(scenario.example, po);
  }
  const csv = planImport(
    'csv',
    await readFile(path.join(EXAMPLES, 'purchase-orders.csv'), 'utf8'),
    poBodyOf('flexport'),
  );
  if (csv.problems.length > 0)
    throw new Error(`examples/purchase-orders.csv: ${JSON.stringify(csv.problems)}`);
  for (const { name, po } of csv.valid) examples.set(name, po);
  return examples;
}

async function accepted(p: Play): Promise<PoView> {
  const view = await waitFor(p, (v) => v.providerId !== undefined, 'the provider to accept it');
  p.say(`accepted by the provider (id ${view.providerId})`);
  return view;
}

async function acknowledged(p: Play): Promise<void> {
  const view = await accepted(p);
  await p.counterpart.acknowledge(view.providerId!);
  await waitFor(p, (v) => v.acknowledged, 'the acknowledgement webhook');
  p.say('acknowledged by the seller');
}

async function bookFromFile(p: Play, file: string): Promise<number> {
  const booking = JSON.parse(await readFile(path.join(EXAMPLES, file), 'utf8')) as Booking;
  return book(p, { ...booking, name: `${p.po.name}-B1` });
}

/** Books through the workflow; answers the provider's booking id. */
async function book(p: Play, booking: Booking): Promise<number> {
  const view = await p.handle.executeUpdate(bookUpdate, { args: [booking] });
  const made = view.bookings.find((b) => b.name === booking.name)!;
  p.say(`booked ${made.lines.map((l) => `${l.itemKey}×${l.units}`).join(', ')} as ${made.name}`);
  return made.providerId;
}

/** The forwarder confirms the booking and the shipment runs up to `to`. */
async function shipped(p: Play, bookingId: number, to: 'arrived' | 'delivered_in_full'): Promise<void> {
  const shipmentId = await p.counterpart.confirmBooking(bookingId);
  await waitFor(
    p,
    (v) => v.bookings.some((b) => b.shipmentId === shipmentId),
    'the booking confirmation webhook',
  );
  p.say(`booking confirmed, shipment ${shipmentId}`);
  await p.counterpart.advanceShipment(shipmentId, to);
  await waitFor(p, (v) => Boolean(v.milestones[to]), `the ${to.replace(/_/g, ' ')} webhook`);
  p.say(`shipment ${shipmentId} ${to.replace(/_/g, ' ')}`);
}

async function waitFor(p: Play, done: (view: PoView) => boolean, what: string): Promise<PoView> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    // A workflow that has not run its first task yet cannot answer a query: ask again.
    const view = await p.handle.query(stateQuery).catch((err: unknown) => {
      if (Date.now() > deadline) throw err;
      return undefined;
    });
    if (view && done(view)) return view;
    if (Date.now() > deadline) {
      throw new Error(
        `PO ${p.po.name}: waited ${WAIT_MS / 1000} s for ${what}; ` +
          'is the whole stack running (poflow start: worker, sandbox, webhook receiver)?',
      );
    }
    await sleep(250);
  }
}
