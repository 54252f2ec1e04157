/**
 * Rounds of `npm run test:cluster` that follow single POs: the operator's command line through a
 * whole lifecycle, and provider events through signed webhooks and through the reconciler when
 * every delivery is lost.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SandboxCounterpart } from '../../client/sandbox-counterpart';
import { startPurchaseOrder } from '../../client/purchase-orders';
import { PROJECT_ROOT } from '../../worker/temporal-binaries';
import { stateQuery, type PoView } from '../../workflows/flexport/messages';
import { setFaults } from '../chaos/storm';
import { until, seconds, type ClusterRun, type Round } from './run';

interface PoUnderTest {
  handle: WorkflowHandle;
  providerId: number;
}

const EXAMPLE_PO = path.join(PROJECT_ROOT, 'examples', 'po-1001-widgets.json');

function examplePo(name: string): Record<string, unknown> {
  return { ...(JSON.parse(readFileSync(EXAMPLE_PO, 'utf8')) as Record<string, unknown>), name };
}

/** submit, book, a cancel refused after booking, close: each as `poflow` runs it. */
export async function lifecycleRound(run: ClusterRun): Promise<Round> {
  const failures: string[] = [];
  const name = `${run.tag}-LIFE`;
  const file = path.join(run.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(examplePo(name)));
  const began = Date.now();
  const expectExit = async (args: string[], code: number, output?: RegExp) => {
    const result = await run.poflow(...args, '--json');
    if (result.code !== code || (output && !output.test(result.stdout))) {
      const tail = (result.stdout + result.stderr).slice(-400);
      failures.push(`poflow ${args.join(' ')}: exit ${result.code} (expected ${code}): ${tail}`);
    }
  };
  const statusBecomes = (status: string) =>
    until(`${name} ${status}`, 120_000, async () => {
      const result = await run.poflow('status', name, '--json');
      return result.code === 0 && (JSON.parse(result.stdout) as PoView).status === status ? true : undefined;
    }).catch((err: Error) => void failures.push(err.message));

  await expectExit(['submit', file], 0);
  await statusBecomes('open');
  await expectExit(['book', name], 0);
  await statusBecomes('booked');
  await expectExit(['cancel', name], 2, /may not be cancelled since it has an active booking/);
  await expectExit(['close', name], 0);
  await statusBecomes('closed');
  return {
    name: 'CLI lifecycle',
    figures: { 'submit to closed': `${seconds(began).toFixed(1)} s` },
    failures,
  };
}

/**
 * The seller acknowledges two POs in the sandbox. The first event reaches the PO through a signed
 * webhook (and a forged one is refused); every delivery of the second is dropped, and the
 * reconciler, walking the provider's event log, brings it anyway.
 */
export async function webhooksRound(run: ClusterRun): Promise<Round> {
  const failures: string[] = [];
  const figures: Record<string, string> = {};
  const counterpart = new SandboxCounterpart(run.parts.sandboxUrl);
  const [delivered, recovered] = (await Promise.all(
    ['HOOK', 'RECON'].map(async (suffix) => {
      const started = await startPurchaseOrder(run.client, examplePo(`${run.tag}-${suffix}`));
      const handle = run.client.workflow.getHandle(started.workflowId);
      const view = await until(`${started.name} open`, 120_000, async () => {
        const state = await handle.query(stateQuery);
        return state.status === 'open' ? state : undefined;
      });
      return { handle, providerId: view.providerId! };
    }),
  )) as [PoUnderTest, PoUnderTest];
  const acknowledged = (handle: WorkflowHandle, timeoutMs: number) =>
    until(`${handle.workflowId} acknowledged`, timeoutMs, async () =>
      (await handle.query(stateQuery)).acknowledged ? true : undefined,
    );

  const forged = await fetch(`http://127.0.0.1:${run.env.WEBHOOK_PORT}/webhooks/flexport`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
    body: JSON.stringify({ id: 1, type: '/purchase_order#acknowledged' }),
  });
  if (forged.status !== 401) failures.push(`a forged webhook was answered ${forged.status}, not 401`);

  let began = Date.now();
  await counterpart.acknowledge(delivered.providerId);
  await acknowledged(delivered.handle, 60_000).then(
    () => (figures['webhook to PO'] = `${seconds(began).toFixed(1)} s`),
    (err: Error) => failures.push(err.message),
  );

  await setFaults(run.parts, { webhookDropRate: 1 });
  try {
    began = Date.now();
    await counterpart.acknowledge(recovered.providerId);
    // The reconciler walks every minute and delivers an event once it is 30 s old (the webhook's
    // head start): about a minute, whatever a signal asks.
    await acknowledged(recovered.handle, 180_000).then(
      () => (figures['lost webhook recovered by the reconciler'] = `${seconds(began).toFixed(1)} s`),
      (err: Error) => failures.push(err.message),
    );
  } finally {
    await setFaults(run.parts, {});
  }
  return { name: 'webhooks and reconciliation', figures, failures };
}
