/**
 * The prebuilt workflow bundle: webpack runs once (per test run, or when the worker finds the
 * bundle older than the workflow sources or this file) instead of on every worker start.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './temporal-binaries';

export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
export const WORKFLOW_BUNDLE_PATH =
  process.env.POFLOW_WORKFLOW_BUNDLE ?? path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

/** Loaded once per workflow thread and shared by every workflow: see the modules' comments. */
export const SHARED_WORKFLOW_MODULES = ['shared-modules.ts', 'shared-schemas.ts'].map((file) =>
  path.join(path.dirname(WORKFLOWS_PATH), file),
);

/** Every file under workflows/, at any depth (the bundle's boundary: ESLint keeps IO and outside code out), and this file. */
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
  if (bundleIsFresh()) return WORKFLOW_BUNDLE_PATH;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: SHARED_WORKFLOW_MODULES,
    logger: quietLogger,
  });
  mkdirSync(path.dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  return WORKFLOW_BUNDLE_PATH;
}

const noop = () => {};
export const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: console.warn,
  error: console.error,
  log: noop,
};
