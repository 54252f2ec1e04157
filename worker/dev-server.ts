/**
 * The embedded Temporal: the CLI's dev server with its Web UI, persisting to a SQLite file so
 * POs survive a restart, with the PO search attributes registered.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { clearLeftoverDevServer } from './leftover-server';
import { requireBinaryPath } from './temporal-binaries';
import { tetheredCommand } from './tether';

/**
 * One partition per task queue: the server's rate limit (`maxTaskQueueActivitiesPerSecond`) is a
 * token bucket per partition, so with the default four a queue idle for a while lets four tasks
 * through at once. Flxpoint's 2 requests/second needs the limit in one bucket (docs/flxpoint.md).
 */
export const SINGLE_PARTITION_TASK_QUEUES = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

export interface DevServerOptions {
  port: number;
  uiPort: number;
  namespace: string;
  dbFile: string;
  /** The codec server the Web UI decodes payloads through (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => {});
  const binary = requireBinaryPath('cli', log);
  const dbFile = path.resolve(options.dbFile);
  mkdirSync(path.dirname(dbFile), { recursive: true });
  await clearLeftoverDevServer({
    ports: [
      { port: options.port, variable: 'TEMPORAL_PORT' },
      { port: options.uiPort, variable: 'TEMPORAL_UI_PORT' },
    ],
    dbFile,
    log,
  });
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    '--db-filename',
    dbFile,
    // The SDK's own stress CI runs SQLite like this: much faster, and a dev server needs no fsync.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    '--log-level',
    'error',
    ...SINGLE_PARTITION_TASK_QUEUES,
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
  ];
  // Tethered: the server goes when this process goes, even when it is killed without cleanup.
  const tethered = tetheredCommand(binary, args);
  const child = spawn(tethered.command, tethered.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const connection = await connectWhenReady(address, child, () => stderr);
  try {
    await ensureSearchAttributes(connection, options.namespace);
  } finally {
    await connection.close();
  }

  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // SQLite stays locked until the process is gone; a restart before that fails with SQLITE_BUSY.
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

async function connectWhenReady(
  address: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<Connection> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with code ${child.exitCode}: ${stderr().trim()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not answer on ${address} within 30 s: ${String(err)}`);
      }
      await sleep(200);
    }
  }
}

const INDEXED_VALUE_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the PO search attributes the server lacks. The dev server's `--search-attribute`
 * flag is ignored when its SQLite file already exists, so registration goes through the
 * operator API, which works the same on any cluster we are allowed to administer.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.values(SearchAttributes).filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]!])),
  });
  return missing.map((key) => key.name);
}
