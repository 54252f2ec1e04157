/**
 * The cluster's moving parts: the schemas in PostgreSQL, the four Temporal services as separate
 * detached processes (they outlive `npm run cluster -- up`; their pids go to the state file), the
 * namespace and poflow's search attributes.
 */
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureSearchAttributes } from '../../worker/dev-server';
import { commandLine, isAlive } from '../../worker/processes';
import { SearchAttributes } from '../../workflows/core/search-attributes';
import type { ServerBinaries } from './binaries';
import { CONFIG_FILE, LOG_DIR, frontendAddress, type ClusterPorts, type Service } from './layout';
import { DATABASE_USER } from './postgres';
import { METRICS_PORT_VARIABLE } from './server-config';

const execFileAsync = promisify(execFile);

/** Creates both databases on first use and brings their schemas to the module's newest version. */
export async function setUpSchemas(binaries: ServerBinaries, ports: ClusterPorts): Promise<void> {
  for (const [database, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const tool = (...args: string[]) =>
      execFileAsync(binaries.sqlTool, [
        '--plugin',
        'postgres12',
        '--ep',
        '127.0.0.1',
        '-p',
        String(ports.postgres),
        '-u',
        DATABASE_USER,
        '--db',
        database,
        ...args,
      ]).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`schema tool ${args[0]} on ${database}: ${(err.stderr || err.message).trim()}`);
      });
    const created = await tool('create-database').then(
      () => true,
      (err: Error) => (/already exists/.test(err.message) ? false : Promise.reject(err)),
    );
    if (created) await tool('setup-schema', '-v', '0.0');
    const versioned = path.join(binaries.moduleDir, 'schema', 'postgresql', 'v12', schema, 'versioned');
    await tool('update-schema', '-d', versioned);
  }
}

function logFile(service: Service): string {
  return path.join(LOG_DIR, `${service}.log`);
}

/** Starts one service as a detached process logging to `.cluster/logs/<service>.log`; its pid. */
export function startService(binaries: ServerBinaries, ports: ClusterPorts, service: Service): number {
  mkdirSync(LOG_DIR, { recursive: true });
  const out = openSync(logFile(service), 'a');
  const child = spawn(
    binaries.server,
    ['--config-file', CONFIG_FILE, '--allow-no-auth', 'start', '--service', service],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, [METRICS_PORT_VARIABLE]: String(ports.metrics[service]) },
    },
  );
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start the ${service} service`);
  return child.pid;
}

/** Whether `pid` is still this cluster's service (a pid can be reused once its process is gone). */
export function isClusterService(pid: number | undefined): pid is number {
  return pid !== undefined && isAlive(pid) && commandLine(pid).includes(CONFIG_FILE);
}

/** SIGTERM (or SIGKILL), waiting until the process is gone. */
export async function stopService(
  pid: number | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!isClusterService(pid)) return;
  process.kill(pid, signal);
  const forceAt = Date.now() + 20_000;
  while (isAlive(pid)) {
    if (Date.now() > forceAt) process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
}

export function logTail(service: Service): string {
  try {
    return readFileSync(logFile(service), 'utf8').slice(-1500);
  } catch {
    return '(no log)';
  }
}

/**
 * Waits until the frontend answers, registers the namespace, adds poflow's search attributes, and
 * waits until a workflow that carries them is accepted: the services cache both (the namespace
 * for a few seconds, search attributes for up to a minute), so a PO started right after
 * registration could otherwise be refused.
 */
export async function prepareNamespace(
  ports: ClusterPorts,
  namespace: string,
  pids: Partial<Record<Service, number>>,
  log: (line: string) => void,
): Promise<string[]> {
  const deadline = Date.now() + 180_000;
  const connection = await untilReady(deadline, pids, async () => {
    const c = await Connection.connect({ address: frontendAddress(ports), connectTimeout: 2000 });
    await c.workflowService.getSystemInfo({});
    return c;
  });
  try {
    await untilReady(deadline, pids, () => registerNamespace(connection, namespace));
    const added = await untilReady(deadline, pids, () => ensureSearchAttributes(connection, namespace));
    if (added.length > 0) log(`cluster: search attributes registered in ${namespace}: ${added.join(', ')}`);
    await untilReady(deadline, pids, () => probeSearchAttributes(connection, namespace));
    return added;
  } finally {
    await connection.close();
  }
}

async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('3 days'),
    });
  } catch (err) {
    if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
  }
  await connection.workflowService.describeNamespace({ namespace });
}

/** Starts and deletes a workflow carrying a PO search attribute: accepted once the frontend knows it. */
async function probeSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const client = new Client({ connection, namespace });
  const handle = await client.workflow.start('clusterProbe', {
    taskQueue: 'poflow-cluster-probe',
    workflowId: `cluster-probe/${Date.now()}`,
    typedSearchAttributes: [{ key: SearchAttributes.PoLate, value: false }],
  });
  await connection.workflowService.deleteWorkflowExecution({
    namespace,
    workflowExecution: { workflowId: handle.workflowId },
  });
}

async function untilReady<T>(
  deadline: number,
  pids: Partial<Record<Service, number>>,
  attempt: () => Promise<T>,
): Promise<T> {
  for (;;) {
    const dead = Object.entries(pids).find(([, pid]) => !isClusterService(pid));
    if (dead) throw new Error(`the ${dead[0]} service exited: ${logTail(dead[0] as Service)}`);
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`the cluster did not come up within 3 minutes: ${String(err)}`);
      await sleep(1000);
    }
  }
}
