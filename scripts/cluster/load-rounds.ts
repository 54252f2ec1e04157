/**
 * Rounds of `npm run test:cluster` that move many POs: start rate against `pingWorkflow` (the
 * benchmark's figure a), an import of 1,000 POs and its re-run, the Flxpoint rate limit with two
 * workers, and an import through a SIGKILLed worker and
 * history service.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { growBook, pings } from '../../bench/book';
import { startPurchaseOrder } from '../../client/purchase-orders';
import { generatePurchaseOrdersCsv } from '../../examples/generate-purchase-orders-csv';
import { sampleFlxpointPurchaseOrder } from '../../test/support/flxpoint-purchase-orders';
import {
  busiestWindow,
  flxpointRequests,
  MAX_PER_WINDOW,
  notCreatedOnce,
} from '../../test/support/flxpoint-requests';
import { stateQuery } from '../../workflows/flexport/messages';
import { readBook, violationsOf, type Book } from '../chaos/invariants';
import { writeState } from './layout';
import { ensureServerBinaries } from './binaries';
import { startService, stopService } from './services';
import { until, seconds, type ClusterRun, type Round } from './run';

const IN_FLIGHT = 32;

/** POs started to `open`, against pings start to result, on the same cluster in the same run. */
export async function startRateRound(run: ClusterRun, count: number): Promise<Round> {
  const ping = await pings(run.client, `${run.tag}-PING`, count, IN_FLIGHT);
  const book = await growBook(run.client, `${run.tag}-BOOK`, count, IN_FLIGHT, () => {});
  const failures =
    Object.keys(book.notOpen).length > 0 ? [`POs not open: ${JSON.stringify(book.notOpen)}`] : [];
  return {
    name: `start to open, ${count} POs, ${IN_FLIGHT} in flight`,
    figures: {
      'pingWorkflow start to result': `${ping.perSecond.toFixed(1)} /s (p50 ${Math.round(ping.p50Ms)} ms)`,
      'PO start to open': `${book.perSecond.toFixed(2)} POs/s (p50 ${Math.round(book.p50Ms)} ms)`,
      'ratio POs/s : pings/s': (book.perSecond / ping.perSecond).toFixed(2),
    },
    failures,
  };
}

function namesOf(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
}

function csvOf(run: ClusterRun, prefix: string, count: number): string {
  const file = path.join(run.dir, `${prefix}.csv`);
  writeFileSync(file, generatePurchaseOrdersCsv({ count, prefix }));
  return file;
}

async function countOf(run: ClusterRun, query: string): Promise<number> {
  return (await run.client.workflow.count(query)).count;
}

/** `poflow import` of `count` POs until all are open; then the same file again starts nothing. */
export async function importRound(run: ClusterRun, count: number): Promise<Round> {
  const failures: string[] = [];
  const prefix = `${run.tag}-IMP`;
  const file = csvOf(run, prefix, count);
  const openBefore = await countOf(run, 'PoStatus = "open"');
  const began = Date.now();
  const imported = await run.poflow('import', file, '--json');
  const commandSeconds = seconds(began);
  if (imported.code !== 0)
    failures.push(`poflow import exited ${imported.code}: ${imported.stderr.slice(-400)}`);
  // Visibility is written after the workflow: the count catches up with the starts a little later.
  const visibleAt = await until('imported POs visible', 120_000, async () =>
    (await countOf(run, 'PoName IS NOT NULL AND PoStatus IN ("submitting", "open")')) - openBefore >= count
      ? Date.now()
      : undefined,
  ).catch((err: Error) => void failures.push(err.message));
  const allOpen = await until(
    'imported POs open',
    1_800_000,
    async () =>
      (await countOf(run, 'PoStatus = "open"')) - openBefore >= count ? seconds(began) : undefined,
    1000,
  ).catch((err: Error) => void failures.push(err.message));
  const again = await run.poflow('import', file, '--json');
  const rerun =
    again.code === 0 ? (JSON.parse(again.stdout) as { started: number; already_started: number }) : undefined;
  if (!rerun || rerun.started !== 0 || rerun.already_started !== count) {
    const outcome = rerun
      ? `${rerun.started} started, ${rerun.already_started} already`
      : `exit ${again.code}`;
    failures.push(`the same import again: ${outcome}`);
  }
  return {
    name: `poflow import of ${count} POs`,
    figures: {
      'import command': `${commandSeconds.toFixed(1)} s`,
      'all open': allOpen ? `${allOpen.toFixed(1)} s (${(count / allOpen).toFixed(2)} POs/s)` : 'no',
      'visible in list after the command ended': visibleAt
        ? `${((visibleAt - began) / 1000 - commandSeconds).toFixed(1)} s`
        : 'no',
      're-run': rerun ? `${rerun.started} started, ${rerun.already_started} already submitted` : 'failed',
    },
    failures,
  };
}

/**
 * Flxpoint POs submitted at once beside two workers, of which one sends Flxpoint's requests (the
 * deployment docs/flxpoint.md asks for), through the cluster's `poflow-flxpoint` queue.
 */
export async function flxpointRound(run: ClusterRun, count: number): Promise<Round> {
  const failures: string[] = [];
  const since = Date.now();
  const numbers = namesOf(`${run.tag}-FLX`, count);
  const handles = await Promise.all(
    numbers.map(async (n) => {
      const started = await startPurchaseOrder(run.client, sampleFlxpointPurchaseOrder(n), {
        provider: 'flxpoint',
        poll: { firstSeconds: 5, maxSeconds: 60 },
      });
      return run.client.workflow.getHandle(started.workflowId);
    }),
  );
  for (const handle of handles) {
    await until(`${handle.workflowId} open`, 300_000, async () =>
      (await handle.query(stateQuery)).status === 'open' ? true : undefined,
    ).catch((err: Error) => void failures.push(err.message));
  }
  const elapsed = seconds(since);
  const twice = await notCreatedOnce(run.parts.sandboxUrl, numbers);
  if (twice.length > 0) failures.push(`not created exactly once at Flxpoint: ${twice.join(', ')}`);
  const log = (await flxpointRequests(run.parts.sandboxUrl)).filter((r) => (r.sentAt ?? r.at) >= since);
  const busiest = busiestWindow(log);
  if (busiest.count > MAX_PER_WINDOW)
    failures.push(`${busiest.count} requests sent within 5 s (at most ${MAX_PER_WINDOW})`);
  const refused = log.filter((r) => r.status === 429).length;
  await Promise.all(handles.map((handle) => handle.terminate('cluster test: rate-limit round done')));
  return {
    name: `Flxpoint rate limit, ${count} POs at once, 2 workers, 1 Flxpoint sender`,
    figures: {
      'all open': `${elapsed.toFixed(1)} s (${(count / elapsed).toFixed(2)} POs/s)`,
      'busiest 5 s': `${busiest.count} requests (at most ${MAX_PER_WINDOW})`,
      'requests / answered 429': `${log.length} / ${refused}`,
    },
    failures,
  };
}

/**
 * An import while one poflow worker and the history service are SIGKILLed; both come back. Then
 * every PO must be open in poflow and at the provider, each exactly once there.
 */
export async function faultRound(run: ClusterRun, count: number): Promise<Round> {
  const prefix = `${run.tag}-FLT`;
  const names = namesOf(prefix, count);
  const file = csvOf(run, prefix, count);
  const began = Date.now();
  const kills = (async () => {
    const since = new Date(began).toISOString();
    const startedSince = `WorkflowType = "purchaseOrderWorkflow" AND StartTime >= "${since}"`;
    await until('the import under way', 300_000, async () =>
      (await countOf(run, startedSince)) >= count / 5 ? true : undefined,
    );
    run.log(`cluster-test: SIGKILL worker-2 and the history service`);
    await run.parts.kill('worker-2');
    await stopService(run.cluster.services.history, 'SIGKILL');
    await sleep(5000);
    const binaries = await ensureServerBinaries(run.log);
    run.cluster.services.history = startService(binaries, run.cluster.ports, 'history');
    writeState(run.cluster);
    await run.parts.start('worker-2');
    run.log(`cluster-test: history service and worker-2 back`);
  })();
  kills.catch(() => {});
  let attempts = 0;
  for (;;) {
    attempts++;
    const result = await run.poflow('import', file, '--json');
    if (result.code === 0) break;
    if (attempts >= 10) throw new Error(`poflow import never completed: ${result.stderr.slice(-500)}`);
    run.log(`cluster-test: import attempt ${attempts} exited ${result.code} (the operator runs it again)`);
    await sleep(3000);
  }
  await kills;
  const wanted = new Set(names);
  const ours = (book: Book): Book => ({
    ...book,
    workflowIds: book.workflowIds.filter((id) => id.startsWith(`po/flexport/${prefix}-`)),
    providerPos: book.providerPos.filter((po) => wanted.has(po.name)),
    providerBookings: [],
  });
  let violations: string[] = [];
  for (const deadline = Date.now() + 900_000; Date.now() < deadline; await sleep(5000)) {
    const book = ours(await readBook(run.client, run.parts.sandboxUrl, names));
    violations = violationsOf(book, names);
    const notOpen = names.filter((n) => book.views.get(n)?.status !== 'open');
    if (notOpen.length > 0)
      violations.push(`${notOpen.length} POs not open (${notOpen.slice(0, 3).join(', ')}...)`);
    if (violations.length === 0) break;
  }
  return {
    name: `fault round: import of ${count} POs, SIGKILL of worker-2 and history`,
    figures: {
      'import attempts': String(attempts),
      'all open, one provider PO each': violations.length === 0 ? `${seconds(began).toFixed(1)} s` : 'no',
    },
    failures: violations.slice(0, 20),
  };
}
