/**
 * PostgreSQL for the cluster: a private data directory under `.cluster/postgres`, listening on
 * loopback only, with trust authentication for the `temporal` role it is created with. PostgreSQL
 * refuses to run as root, so as root every command runs as the `postgres` system user, which then
 * owns the directory.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { POSTGRES_DIR } from './layout';

const execFileAsync = promisify(execFile);

export const DATABASE_USER = 'temporal';
const DATA_DIR = path.join(POSTGRES_DIR, 'data');
const SOCKET_DIR = path.join(POSTGRES_DIR, 'run');
const LOG_FILE = path.join(POSTGRES_DIR, 'postgres.log');

/** The folder of Debian's PostgreSQL binaries (initdb and pg_ctl are not on PATH there). */
function binDir(): string {
  for (const candidate of [process.env.POFLOW_CLUSTER_PG_BIN, ...debianBinDirs()]) {
    if (candidate && existsSync(path.join(candidate, 'pg_ctl'))) return candidate;
  }
  try {
    return path.dirname(execFileSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      'PostgreSQL is not installed: install it (Debian: apt-get install postgresql) ' +
        'or set POFLOW_CLUSTER_PG_BIN to the folder holding pg_ctl and initdb',
    );
  }
}

function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(root, version, 'bin'));
}

/** As root, PostgreSQL's own user runs it (`runuser`); anyone else runs it themselves. */
function asOwner(command: string, args: string[]): [string, string[]] {
  const binary = path.join(binDir(), command);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

async function pg(command: string, args: string[]): Promise<string> {
  const [file, argv] = asOwner(command, args);
  try {
    const { stdout } = await execFileAsync(file, argv, { cwd: '/' });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

function ownDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
}

/** Creates the data directory on first use, then starts the server and waits until it answers. */
export async function startPostgres(port: number, log: (line: string) => void): Promise<void> {
  ownDirectory(POSTGRES_DIR);
  ownDirectory(SOCKET_DIR);
  if (!existsSync(path.join(DATA_DIR, 'PG_VERSION'))) {
    log(`cluster: initdb ${DATA_DIR}`);
    await pg('initdb', [
      '-D',
      DATA_DIR,
      '-U',
      DATABASE_USER,
      '--auth=trust',
      '--encoding=UTF8',
      '--no-instructions',
    ]);
  }
  // Four Temporal services, each with pools for persistence and visibility: more than the default 100.
  const options = `-p ${port} -k ${SOCKET_DIR} -c listen_addresses=127.0.0.1 -c max_connections=300`;
  await pg('pg_ctl', ['-D', DATA_DIR, '-l', LOG_FILE, '-o', options, '-w', '-t', '60', 'start']);
}

export async function stopPostgres(): Promise<boolean> {
  if (!(await postgresRunning())) return false;
  await pg('pg_ctl', ['-D', DATA_DIR, '-m', 'fast', '-w', '-t', '60', 'stop']);
  return true;
}

/** `pg_ctl status`: exit code 0 while the server runs, 3 when it does not. */
export async function postgresRunning(): Promise<boolean> {
  if (!existsSync(path.join(DATA_DIR, 'PG_VERSION'))) return false;
  try {
    await pg('pg_ctl', ['-D', DATA_DIR, 'status']);
    return true;
  } catch {
    return false;
  }
}
