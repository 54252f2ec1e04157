/**
 * The prebuilt workflow bundle: webpack runs once (per test run, or when the worker finds the
 * bundle older than the workflow sources or this file) instead of on every worker start.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './temporal-binaries';

export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
export const WORKFLOW_BUNDLE_PATH =
  process.env.POFLOW_WORKFLOW_BUNDLE ?? path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

/** Loaded once per workflow thread and shared by every workflow: see the modules' comments. */
export const SHARED_WORKFLOW_MODULES = ['core/shared-modules.ts', 'core/shared-schemas.ts'].map((file) =>
  path.join(path.dirname(WORKFLOWS_PATH), file),
);

/**
 * Every file under workflows/, at any depth (the bundle's boundary: ESLint keeps IO and outside code
 * out), and this file.
 */
function newestSourceMtime(): number {
  const dir = path.dirname(WORKFLOWS_PATH);
  const sources = [
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name)),
    __filename,
  ];
  return Math.max(...sources.map((file) => statSync(file).mtimeMs));
}

export function bundleIsFresh(): boolean {
  return existsSync(WORKFLOW_BUNDLE_PATH) && statSync(WORKFLOW_BUNDLE_PATH).mtimeMs >= newestSourceMtime();
}

/** Builds the bundle unless a fresh one is already on disk; returns its path. */
export async function ensureWorkflowBundle(): Promise<string> {
  if (!bundleIsFresh()) await bundleInChildProcess();
  return WORKFLOW_BUNDLE_PATH;
}

/**
 * webpack runs in a node process of its own that ends with the build. Run inside `poflow start`,
 * it left its memory behind for the life of the worker: idle RSS 500 MiB instead of 336 (345 vs
 * 254 after a full collection in every thread; 23 MiB of it live heap), measured as bench/memory.ts does.
 */
async function bundleInChildProcess(): Promise<void> {
  const job = {
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: SHARED_WORKFLOW_MODULES,
    out: WORKFLOW_BUNDLE_PATH,
  };
  const source = `
    const { mkdirSync, writeFileSync } = require('node:fs');
    const path = require('node:path');
    const { bundleWorkflowCode } = require(${JSON.stringify(require.resolve('@temporalio/worker'))});
    const { out, ...options } = JSON.parse(process.argv[1]);
    const quiet = () => {};
    const logger = {
      trace: quiet, debug: quiet, info: quiet, log: quiet, warn: console.warn, error: console.error,
    };
    bundleWorkflowCode({ ...options, logger }).then(({ code }) => {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, code);
    });`;
  const child = spawn(process.execPath, ['-e', source, JSON.stringify(job)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0)
    throw new Error(
      `building the workflow bundle failed (${signal ?? `exit code ${code}`}); webpack's reason is above`,
    );
}
