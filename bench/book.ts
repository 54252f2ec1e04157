/**
 * (a) and (b): POs started as the issue measured them (`startPurchaseOrder`, a fixed number in
 * flight) until they reach `open`, against `pingWorkflow` executions on the same server; and
 * throughput as the book grows. A PO counts as open when the visibility store says so (its
 * `PoStatus` search attribute, set in the workflow task that opened it), read every 50 ms for the
 * POs in flight only, so the check costs the same however large the book is.
 */
import type { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPurchaseOrder } from '../client/purchase-orders';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { TASK_QUEUE } from '../providers/start-once';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { pingWorkflow } from '../workflows/ping';
import { latencyOf, pool, type Latency } from './stats';

export const TEMPLATE = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'examples', 'po-1001-widgets.json'), 'utf8'),
) as Record<string, unknown>;

export interface Rate extends Latency {
  count: number;
  perSecond: number;
}

/** `count` ping workflows, start to result, `inFlight` at once. */
export async function pings(client: Client, prefix: string, count: number, inFlight: number): Promise<Rate> {
  const latencies: number[] = [];
  const began = performance.now();
  await pool(count, inFlight, async (i) => {
    const started = performance.now();
    await client.workflow.execute(pingWorkflow, { taskQueue: TASK_QUEUE, workflowId: `${prefix}-ping-${i}` });
    latencies.push(performance.now() - started);
  });
  return { count, perSecond: count / ((performance.now() - began) / 1000), ...latencyOf(latencies) };
}

export interface BookRun extends Rate {
  /** ms since the run began at which the n-th PO (in order of opening) was open. */
  openedAt: number[];
  notOpen: Record<string, number>;
  names: string[];
}

/**
 * Starts `count` POs named `<prefix>-<n>`, `inFlight` at once, each waited on until it leaves
 * `submitting`; `onOpen(n)` runs after the n-th is open (to sample memory at milestones).
 */
export async function growBook(
  client: Client,
  prefix: string,
  count: number,
  inFlight: number,
  onOpen: (opened: number) => void,
): Promise<BookRun> {
  const watcher = new StatusWatcher(client);
  const latencies: number[] = [];
  const openedAt: number[] = [];
  const notOpen: Record<string, number> = {};
  const names: string[] = [];
  const began = performance.now();
  try {
    await pool(count, inFlight, async (i) => {
      const name = `${prefix}-${String(i + 1).padStart(5, '0')}`;
      const started = performance.now();
      const startedAtMs = Date.now();
      const po = await startPurchaseOrder(client, { ...TEMPLATE, name });
      const status = await watcher.settled(po.name, startedAtMs);
      const now = performance.now();
      if (status !== 'open') {
        notOpen[status] = (notOpen[status] ?? 0) + 1;
        return;
      }
      latencies.push(now - started);
      openedAt.push(now - began);
      names.push(name);
      onOpen(openedAt.length);
    });
  } finally {
    await watcher.stop();
  }
  const seconds = (performance.now() - began) / 1000;
  return { count, perSecond: count / seconds, ...latencyOf(latencies), openedAt, notOpen, names };
}

/** POs per second over the POs opened in positions [from, to) (0-based), e.g. the first and last tenth. */
export function throughputOf(openedAt: readonly number[], from: number, to: number): number {
  const start = from === 0 ? 0 : openedAt[from - 1]!;
  return (to - from) / ((openedAt[to - 1]! - start) / 1000);
}

/**
 * One visibility query every 50 ms for all the POs waited on: which have left `submitting`. The
 * query is bounded by the earliest start waited on: Temporal's SQL visibility orders every list by
 * close and start time, so SQLite walks that index over every execution in the namespace and reads
 * each row it cannot rule out from the index: 26 ms per query at 10,000 open POs, 3 ms with the
 * bound, so unbounded the benchmark's own polling cost the server more as the book grew.
 */
class StatusWatcher {
  private readonly waiting = new Map<string, { resolve: (status: string) => void; startedAtMs: number }>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly client: Client) {
    this.loop = this.poll();
  }

  /** The PO's status once it is no longer `submitting`. */
  settled(name: string, startedAtMs: number): Promise<string> {
    return new Promise((resolve) => this.waiting.set(name, { resolve, startedAtMs }));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      await sleep(50);
      if (this.waiting.size === 0) continue;
      const names = [...this.waiting.keys()];
      // A second of slack for the server's clock, which stamps the start.
      const earliest = Math.min(...[...this.waiting.values()].map((w) => w.startedAtMs)) - 1000;
      const quoted = names.map((n) => `"${n}"`).join(', ');
      const since = new Date(earliest).toISOString();
      const query = `PoName IN (${quoted}) AND PoStatus != "submitting" AND StartTime >= "${since}"`;
      for await (const execution of this.client.workflow.list({ query })) {
        const name = execution.typedSearchAttributes.get(SearchAttributes.PoName);
        const status = execution.typedSearchAttributes.get(SearchAttributes.PoStatus);
        const waiter = name === undefined ? undefined : this.waiting.get(name);
        if (!waiter || !status) continue;
        this.waiting.delete(name!);
        waiter.resolve(status);
      }
    }
  }
}
