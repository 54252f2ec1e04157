/**
 * (d): signed `/purchase_order#acknowledged` webhooks posted to the receiver at a fixed rate, one
 * per open PO. Two figures per event: the receiver's time to 200, and accepted-to-visible: from
 * the POST to the completion of the workflow task that applied the signal, read afterwards from
 * the PO's history (a `state` query is answered from that task on; polling the query instead
 * would add its own load to what it measures). Every PO's `state` is then queried once to check
 * the flag really is set.
 */
import type { Client } from '@temporalio/client';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sign } from '../webhooks/signature';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';
import { stateQuery } from '../workflows/flexport/messages';
import { latencyOf, pool, type Latency } from './stats';

// Far above the sandbox's own event ids, so the workflows' dedupe never drops one of ours.
const FIRST_EVENT_ID = 900_000_000;

export interface WebhookRun {
  eventsPerSecond: number;
  count: number;
  toOk: Latency;
  toVisible: Latency;
  /**
   * Answered 503 (Temporal did not take the signal in time), or not at all: the provider sends
   * these again.
   */
  notOk: number;
  /** Answered 200, yet not applied within a minute or not in `state`. */
  notVisible: number;
  /** POs whose `state` query kept timing out (an evicted PO replays first; a loaded machine is slow). */
  unchecked: number;
}

export async function webhookLatency(
  client: Client,
  target: { url: string; secret: string },
  poNames: readonly string[],
  eventsPerSecond: number,
): Promise<WebhookRun> {
  const sentAt: number[] = [];
  const toOk: number[] = [];
  let notOk = 0;
  const began = performance.now();
  const deliveries = poNames.map(async (name, i) => {
    await sleep(Math.max(0, began + (i * 1000) / eventsPerSecond - performance.now()));
    const at = new Date().toISOString();
    const body = JSON.stringify({
      _object: '/event',
      id: FIRST_EVENT_ID + i,
      version: 2,
      type: '/purchase_order#acknowledged',
      created_at: at,
      occurred_at: at,
      data: { _object: '/order_management_event_data', purchase_order: { _object: '/purchase_order', name } },
    });
    sentAt[i] = performance.timeOrigin + performance.now();
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, target.secret) },
        body,
      });
      await response.arrayBuffer();
      if (response.status === 200) toOk[i] = performance.timeOrigin + performance.now() - sentAt[i]!;
      else notOk++;
    } catch {
      // Not even connected (a starved machine): the provider would send it again, as after a 503.
      notOk++;
    }
  });
  await Promise.all(deliveries);

  const toVisible: number[] = [];
  let notVisible = 0;
  let unchecked = 0;
  await pool(poNames.length, 8, async (i) => {
    // Not answered 200: the receiver did not deliver it (Flexport would send it again), nothing to wait for.
    if (toOk[i] === undefined) return;
    const handle = client.workflow.getHandle(purchaseOrderWorkflowId('flexport', poNames[i]!));
    // The last events may still be in a workflow task when their 200 came back.
    let appliedAt = await signalAppliedAt(client, await handle.fetchHistory(), FIRST_EVENT_ID + i);
    for (const deadline = Date.now() + 60_000; appliedAt === undefined && Date.now() < deadline;) {
      await sleep(250);
      appliedAt = await signalAppliedAt(client, await handle.fetchHistory(), FIRST_EVENT_ID + i);
    }
    const acknowledged = await acknowledgedIn(handle);
    if (acknowledged === undefined) unchecked++;
    if (appliedAt === undefined || acknowledged === false) notVisible++;
    else toVisible.push(appliedAt - sentAt[i]!);
  });
  return {
    eventsPerSecond,
    count: poNames.length,
    toOk: latencyOf(toOk.filter((ms) => ms !== undefined)),
    toVisible: latencyOf(toVisible),
    notOk,
    notVisible,
    unchecked,
  };
}

/** The `acknowledged` flag of the PO's `state`; undefined when three queries in a row failed. */
async function acknowledgedIn(
  handle: ReturnType<Client['workflow']['getHandle']>,
): Promise<boolean | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return (await handle.query(stateQuery)).acknowledged;
    } catch {
      await sleep(1000);
    }
  }
  return undefined;
}

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/** Epoch ms at which the first workflow task after the `providerEvent` signal with this id completed. */
async function signalAppliedAt(
  client: Client,
  history: History,
  eventId: number,
): Promise<number | undefined> {
  const events = history.events ?? [];
  let signalled = -1;
  for (const [index, event] of events.entries()) {
    const payloads = event.workflowExecutionSignaledEventAttributes?.input?.payloads;
    if (!payloads?.length) continue;
    // The history holds the payloads as stored: encrypted, so decoded through the client's codecs.
    let decoded = payloads;
    for (const codec of [...client.options.loadedDataConverter.payloadCodecs].reverse())
      decoded = await codec.decode(decoded);
    const data = decoded[0]?.data;
    if (data && (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: number }).id === eventId) {
      signalled = index;
      break;
    }
  }
  if (signalled < 0) return undefined;
  const completed = events.slice(signalled).find((event) => event.workflowTaskCompletedEventAttributes);
  const time = completed?.eventTime;
  return time ? Number(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6 : undefined;
}
