/**
 * What every round of `npm run test:cluster` works with: the cluster from `.cluster/state.json`,
 * the poflow processes beside it (sandbox, receiver, two workers; `scripts/chaos/parts.ts`), a
 * client with the run's codec key, and the `poflow` command line with the same environment.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { poflowDataConverter } from '../../codec/aes-gcm';
import { loadCodecKeys } from '../../codec/keys';
import { freePort } from '../../test/support/ports';
import { runCli, type CliResult } from '../../test/support/stack';
import { reconcilerWorkflowId } from '../../workflows/reconciler';
import { Parts, partsEnv, type PartName } from '../chaos/parts';
import { readState, type ClusterState } from './layout';

export interface Round {
  name: string;
  /** Figures for the summary, by label. */
  figures: Record<string, string>;
  /** What went wrong; empty when the round passed. */
  failures: string[];
}

export interface ClusterRun {
  cluster: ClusterState;
  parts: Parts;
  client: Client;
  /** The environment every poflow process and CLI run gets. */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** A prefix for this run's PO names, so runs on one cluster never meet. */
  tag: string;
  log(line: string): void;
  poflow(...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

const PARTS: PartName[] = ['sandbox', 'webhooks', 'worker', 'worker-2'];

export async function openRun(log: (line: string) => void): Promise<ClusterRun> {
  const cluster = readState();
  if (!cluster) throw new Error('no cluster is up here: run "npm run cluster -- up" first');
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-cluster-test-'));
  const ports = {
    temporal: cluster.ports.grpc.frontend,
    sandbox: await freePort(),
    webhooks: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    ...partsEnv(ports, dir),
    TEMPORAL_NAMESPACE: cluster.namespace,
    // Every process of a cluster deployment shares the keys.
    POFLOW_CODEC_KEYS: `cluster:${randomBytes(32).toString('base64')}`,
  };
  const parts = new Parts(dir, ports, env, Date.now() % 100_000);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    await forgetEarlierProvider(new Client({ connection, namespace: cluster.namespace }));
    for (const part of PARTS) await parts.start(part);
  } catch (err) {
    await parts.stopAll();
    throw err;
  }
  const dataConverter = poflowDataConverter(loadCodecKeys(env, dir));
  const client = new Client({ connection, namespace: cluster.namespace, dataConverter });
  return {
    cluster,
    parts,
    client,
    env,
    dir,
    tag: `CL${Date.now().toString(36).toUpperCase()}`,
    log,
    poflow: (...args) => runCli({ cliEnv: env }, args, 600_000),
    async close() {
      await connection?.close();
      await parts.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Each run brings a new sandbox, whose event ids start again at 1, while the cluster keeps the
 * reconciler of the last run with its cursor (ids delivered within the last hour): it would take
 * the new provider's events for ones it already delivered. A new provider account gets a new
 * reconciler; `poflow webhooks` starts it again.
 */
async function forgetEarlierProvider(client: Client): Promise<void> {
  try {
    await client.workflow
      .getHandle(reconcilerWorkflowId('flexport'))
      .terminate('a new sandbox: its event log starts again');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** `check()` again every `everyMs` until it answers something other than undefined. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(everyMs);
  }
}

export function seconds(since: number): number {
  return (Date.now() - since) / 1000;
}
