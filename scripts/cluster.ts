/**
 * `npm run cluster -- up|down|status`: poflow's Temporal as a production-shaped cluster on this
 * machine. `up` builds (or reuses) the pinned server and schema tool, starts PostgreSQL in a
 * private data directory, creates the persistence and visibility schemas, runs the frontend,
 * history (4 shards), matching and worker services as separate processes from one generated config,
 * and registers the namespace and poflow's search attributes. `down` stops everything `up` started;
 * `down --purge` also deletes the data. Loopback only; everything lives in `.cluster/`.
 */
import { Connection } from '@temporalio/client';
import { Command } from 'commander';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureServerBinaries, SERVER_VERSION } from './cluster/binaries';
import {
  allPorts,
  CONFIG_FILE,
  LOG_DIR,
  POSTGRES_DIR,
  clusterPorts,
  frontendAddress,
  PORT_OFFSET_VARIABLE,
  readState,
  removeState,
  SERVICES,
  writeState,
  type ClusterState,
  type Service,
} from './cluster/layout';
import { postgresRunning, startPostgres, stopPostgres } from './cluster/postgres';
import { HISTORY_SHARDS, writeServerConfig } from './cluster/server-config';
import {
  isClusterService,
  prepareNamespace,
  setUpSchemas,
  startService,
  stopService,
} from './cluster/services';

const log = (line: string) => console.error(line);

export async function clusterUp(namespace: string): Promise<ClusterState> {
  const running = readState();
  if (running && SERVICES.every((s) => isClusterService(running.services[s]))) {
    log(`cluster: already up at ${frontendAddress(running.ports)}`);
    return running;
  }
  if (running) await clusterDown(false);
  const ports = clusterPorts();
  await assertPortsFree(ports);
  const binaries = await ensureServerBinaries(log);
  if (binaries.buildSeconds > 0)
    log(`cluster: built the server ${SERVER_VERSION} in ${binaries.buildSeconds} s`);
  const state: ClusterState = { ports, namespace, services: {} };
  try {
    await startPostgres(ports.postgres, log);
    await setUpSchemas(binaries, ports);
    writeServerConfig(ports);
    for (const service of SERVICES) {
      state.services[service] = startService(binaries, ports, service);
      writeState(state);
    }
    await prepareNamespace(ports, namespace, state.services, log);
  } catch (err) {
    await clusterDown(false);
    throw err;
  }
  return state;
}

/** Stops the services (frontend first, so nothing new comes in), then PostgreSQL. */
export async function clusterDown(purge: boolean): Promise<string[]> {
  const state = readState();
  const stopped: string[] = [];
  for (const service of [...SERVICES].reverse()) {
    const pid = state?.services[service];
    if (!isClusterService(pid)) continue;
    await stopService(pid);
    stopped.push(service);
  }
  if (await stopPostgres()) stopped.push('postgres');
  removeState();
  // The binaries stay: rebuilding them takes minutes.
  if (purge)
    for (const dir of [POSTGRES_DIR, LOG_DIR, path.dirname(CONFIG_FILE)])
      rmSync(dir, { recursive: true, force: true });
  return stopped;
}

async function assertPortsFree(ports: ReturnType<typeof clusterPorts>): Promise<void> {
  for (const [name, port] of allPorts(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) {
      const offset = `${PORT_OFFSET_VARIABLE} (default 20000, added to Temporal's usual ports)`;
      throw new Error(
        `port ${port} (${name}) is taken: stop what holds it, or move the whole cluster with ${offset}`,
      );
    }
  }
}

interface ClusterStatus {
  up: boolean;
  address?: string;
  namespace?: string;
  postgres: boolean;
  services: Record<Service, number | null>;
  frontendAnswers: boolean;
}

export async function clusterStatus(): Promise<ClusterStatus> {
  const state = readState();
  const services = Object.fromEntries(
    SERVICES.map((s) => [s, isClusterService(state?.services[s]) ? state!.services[s]! : null]),
  ) as Record<Service, number | null>;
  let frontendAnswers = false;
  if (state && services.frontend !== null) {
    try {
      const connection = await Connection.connect({
        address: frontendAddress(state.ports),
        connectTimeout: 2000,
      });
      await connection.workflowService.describeNamespace({ namespace: state.namespace });
      await connection.close();
      frontendAnswers = true;
    } catch {
      frontendAnswers = false;
    }
  }
  const postgres = await postgresRunning();
  return {
    up: postgres && frontendAnswers && SERVICES.every((s) => services[s] !== null),
    address: state ? frontendAddress(state.ports) : undefined,
    namespace: state?.namespace,
    postgres,
    services,
    frontendAnswers,
  };
}

function describeStatus(status: ClusterStatus): string {
  const rows = [
    `cluster: ${status.up ? 'up' : 'not up'}`,
    `  postgres   ${status.postgres ? 'running' : 'stopped'}`,
    ...SERVICES.map(
      (s) => `  ${s.padEnd(10)} ${status.services[s] === null ? 'stopped' : `pid ${status.services[s]}`}`,
    ),
  ];
  if (status.up) {
    const queues = "task queues with the server's default 4 partitions, poflow-flxpoint with 1";
    rows.push(
      `  ${HISTORY_SHARDS} history shards; ${queues}`,
      `  use it with: TEMPORAL_ADDRESS=${status.address} TEMPORAL_NAMESPACE=${status.namespace}`,
    );
  }
  return rows.join('\n');
}

if (require.main === module) {
  const program = new Command('cluster').description(
    "poflow's Temporal as a production-shaped cluster on loopback " +
      '(PostgreSQL, separate frontend, history, matching and worker services)',
  );
  const finish = (work: Promise<unknown>): Promise<void> =>
    work
      .then(() => undefined)
      .catch((err: unknown) => {
        console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      });
  program
    .command('up')
    .description('build or reuse the server, start PostgreSQL and the four services, register the namespace')
    .option('--namespace <ns>', 'namespace to register', 'default')
    .action((options: { namespace: string }) =>
      finish(
        clusterUp(options.namespace).then(async () => console.log(describeStatus(await clusterStatus()))),
      ),
    );
  program
    .command('down')
    .description('stop everything up started')
    .option('--purge', 'also delete the data, logs and config (the built binaries stay)')
    .action((options: { purge?: boolean }) =>
      finish(
        clusterDown(options.purge ?? false).then((stopped) =>
          console.log(
            `cluster: stopped ${stopped.length > 0 ? stopped.join(', ') : 'nothing (nothing was running)'}`,
          ),
        ),
      ),
    );
  program
    .command('status')
    .description('what runs, and the TEMPORAL_ADDRESS to use; exit code 1 unless all of it is up')
    .option('--json', 'machine-readable')
    .action((options: { json?: boolean }) =>
      finish(
        clusterStatus().then((status) => {
          console.log(options.json ? JSON.stringify(status, null, 2) : describeStatus(status));
          if (!status.up) process.exitCode = 1;
        }),
      ),
    );
  void program.parseAsync();
}
