/**
 * Before `poflow start` runs its dev server: are its ports free? A dev server left running by an
 * earlier `poflow start` on the same SQLite file (one whose parent died before tethering existed,
 * or was killed with it) is stopped, saying so; anything else holding a port is named, with the
 * way out, instead of the dev server failing later with a bare "address already in use".
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allPids, commandLine, isAlive, parentPid, readProc } from './processes';

export interface PortHolder {
  pid: number;
  /** Its command line, argument by argument. */
  argv: string[];
}

export interface DevServerPorts {
  /** `TEMPORAL_PORT`, `TEMPORAL_UI_PORT`: the names the user sets them by. */
  ports: Array<{ port: number; variable: string }>;
  dbFile: string;
  log: (line: string) => void;
}

/** Frees the dev server's ports of a leftover of ours, or throws naming whoever holds them. */
export async function clearLeftoverDevServer({ ports, dbFile, log }: DevServerPorts): Promise<void> {
  for (const { port, variable } of ports) {
    if (await isFree(port)) continue;
    const holder = portHolder(port);
    const state = holder && devServerState(holder, dbFile);
    if (state === 'stopping') {
      // The tether of a poflow that just died is stopping it: wait, as a restart right after would.
      log(
        `the Temporal dev server of a poflow start that just ended still holds port ${port}: ` +
          'waiting for it to stop',
      );
      await untilGone(holder!.pid, 15_000);
      if (await isFree(port)) continue;
    }
    if (state === 'leftover') {
      log(
        `a Temporal dev server left running by an earlier poflow start holds port ${port} ` +
          `(pid ${holder!.pid}, ${dbFile}): stopping it`,
      );
      await stop(holder!.pid);
      if (await isFree(port)) continue;
    }
    throw portInUse(port, variable, 'set TEMPORAL_ADDRESS to use a Temporal server that is already running');
  }
}

/** A port the user sets by `variable`, on `host` (127.0.0.1 unless said). */
export interface ListenerPort {
  port: number;
  variable: string;
  host?: string;
}

/**
 * The error for a port someone else holds: the port, its holder when known (Linux), and the
 * variable to change; `alternative`, another way out, when there is one.
 */
export function portInUse(port: number, variable: string, alternative?: string): Error {
  const holder = portHolder(port);
  const who = holder ? `pid ${holder.pid} (${holder.argv.join(' ').slice(0, 200)})` : 'another process';
  const ways = alternative
    ? `Stop it, set ${variable} to a free port, or ${alternative}.`
    : `Stop it or set ${variable} to a free port.`;
  return new Error(`${variable} ${port} is in use by ${who}. ${ways}`);
}

/**
 * Before a process generates or starts anything: every port it will listen on is free, or the
 * first taken one is refused with `portInUse`. Port 0 (any free port) always is.
 */
export async function ensurePortsFree(ports: ListenerPort[]): Promise<void> {
  for (const { port, variable, host } of ports) {
    if (port !== 0 && !(await isFree(port, host))) throw portInUse(port, variable);
  }
}

/** `err` as `portInUse` when it is a listen's EADDRINUSE (a port taken since it was checked), else itself. */
export function listenError(err: unknown, { port, variable }: ListenerPort): unknown {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ? portInUse(port, variable) : err;
}

async function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * A `temporal server start-dev` on our SQLite file: `owned` by a live Node process (a running
 * poflow, or a test), directly or through its tether; `stopping` when its tether's parent is gone
 * (the tether is stopping it); `leftover` when nothing ever will. Undefined: not ours.
 */
function devServerState(holder: PortHolder, dbFile: string): 'owned' | 'stopping' | 'leftover' | undefined {
  const { argv } = holder;
  const onOurFile =
    argv.includes('start-dev') && argv[argv.indexOf('--db-filename') + 1] === path.resolve(dbFile);
  if (!onOurFile) return undefined;
  const parentId = parentPid(holder.pid) ?? 0;
  const parent = commandLine(parentId);
  const binary = path.basename(argv[0] ?? '');
  const isNode = (command: string[]) => path.basename(command[0] ?? '').startsWith('node');
  if (parent.some((arg) => path.basename(arg) === binary)) {
    return isNode(commandLine(parentPid(parentId) ?? 0)) ? 'owned' : 'stopping';
  }
  return isNode(parent) ? 'owned' : 'leftover';
}

async function stop(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  // SQLite stays locked until the process is gone.
  if (await untilGone(pid, 10_000)) return;
  process.kill(pid, 'SIGKILL');
  await untilGone(pid, 5_000);
}

async function untilGone(pid: number, withinMs: number): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(100)) {
    if (!isAlive(pid)) return true;
  }
  return !isAlive(pid);
}

/**
 * Who listens on a TCP port, from /proc (Linux only: undefined elsewhere, or where the socket
 * belongs to a process we may not look into).
 */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of allPids()) {
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      const target = safeReadlink(`/proc/${pid}/fd/${fd}`);
      const inode = target?.match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode && inodes.has(inode)) return { pid, argv: commandLine(pid) };
    }
  }
  return undefined;
}

function listeningInodes(port: number): Set<string> {
  const LISTEN = '0A';
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (readProc(table) ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const localPort = parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (localPort === port && fields[3] === LISTEN && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeReadlink(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}
