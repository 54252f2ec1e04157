/**
 * The pinned Temporal server and its SQL schema tool, built from their Go module into
 * `.cluster/bin` (about 8 minutes the first time on a 2-core machine; seconds once Go's module
 * and build caches hold them), and the module's own folder, whose PostgreSQL schemas the cluster
 * is created from.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN_DIR } from './layout';

export const SERVER_MODULE = 'go.temporal.io/server';
export const SERVER_VERSION = 'v1.32.2';
/** The server's go.mod asks for this toolchain; Go fetches it through the module proxy. */
export const GO_TOOLCHAIN = 'go1.26.10';

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** The module's source folder (schemas, sample configs). */
  moduleDir: string;
  /** Seconds spent building, 0 when the pinned build was already there. */
  buildSeconds: number;
}

const PACKAGES = { server: 'cmd/server', sqlTool: 'cmd/tools/sql' } as const;
const MARKER = path.join(BIN_DIR, 'installed.json');

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: BIN_DIR };
}

function goCommand(): string {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return 'go';
  } catch {
    const install = `install Go 1.21 or newer (https://go.dev/dl/); it fetches ${GO_TOOLCHAIN} itself`;
    throw new Error(`the cluster's Temporal server is built with Go, and "go" is not on PATH: ${install}`);
  }
}

/** Builds the pinned binaries unless `.cluster/bin` already holds them. */
export async function ensureServerBinaries(log: (line: string) => void): Promise<ServerBinaries> {
  const go = goCommand();
  const binaries = {
    server: path.join(BIN_DIR, 'server'),
    sqlTool: path.join(BIN_DIR, 'sql'),
    moduleDir: moduleDir(go),
  };
  const pinned = `${SERVER_MODULE}@${SERVER_VERSION} (${GO_TOOLCHAIN})`;
  const installed = existsSync(MARKER) ? readFileSync(MARKER, 'utf8').trim() : undefined;
  if (installed === pinned && existsSync(binaries.server) && existsSync(binaries.sqlTool)) {
    return { ...binaries, buildSeconds: 0 };
  }
  mkdirSync(BIN_DIR, { recursive: true });
  const began = Date.now();
  for (const pkg of Object.values(PACKAGES)) {
    log(
      `cluster: building ${SERVER_MODULE}/${pkg}@${SERVER_VERSION} into ${BIN_DIR} (minutes the first time)`,
    );
    await run(go, ['install', `${SERVER_MODULE}/${pkg}@${SERVER_VERSION}`], log);
  }
  writeFileSync(MARKER, `${pinned}\n`);
  return { ...binaries, buildSeconds: Math.round((Date.now() - began) / 1000) };
}

function moduleDir(go: string): string {
  const out = execFileSync(go, ['mod', 'download', '-json', `${SERVER_MODULE}@${SERVER_VERSION}`], {
    env: goEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir)
    throw new Error(`go mod download did not say where ${SERVER_MODULE}@${SERVER_VERSION} is: ${out}`);
  return dir;
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log(`cluster: still building (${command} ${args.join(' ')})`), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${tail.trim()}`));
    });
  });
}
