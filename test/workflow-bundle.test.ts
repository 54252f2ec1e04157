/**
 * The prebuilt workflow bundle counts as fresh only while it is newer than every file under
 * workflows/, at any depth: a change in workflows/core/ or a provider's folder must rebuild it as
 * surely as one in workflows/index.ts. Works on a bundle path of its own; the sources' times are
 * put back as they were.
 */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as WorkflowBundle from '../worker/workflow-bundle';

const dir = mkdtempSync(path.join(tmpdir(), 'poflow-bundle-'));
process.env.POFLOW_WORKFLOW_BUNDLE = path.join(dir, 'workflow-bundle.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle path is read at import, after the env above
const bundle = require('../worker/workflow-bundle') as typeof WorkflowBundle;

const WORKFLOWS = path.dirname(bundle.WORKFLOWS_PATH);
const SOURCES = ['index.ts', 'core/status.ts', 'flxpoint/lifecycle.ts'].map((file) =>
  path.join(WORKFLOWS, file),
);
const BUNDLE_TIME = new Date(Date.now() + 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function builtAt(time: Date): void {
  writeFileSync(bundle.WORKFLOW_BUNDLE_PATH, '// a bundle');
  utimesSync(bundle.WORKFLOW_BUNDLE_PATH, time, time);
}

/** Runs `check` with `file` changed after the bundle was built, then gives the file its time back. */
function changedAfterBuild(file: string, check: () => void): void {
  const { atime, mtime } = statSync(file);
  const later = new Date(BUNDLE_TIME.getTime() + 1_000);
  utimesSync(file, later, later);
  try {
    check();
  } finally {
    utimesSync(file, atime, mtime);
  }
}

test('no bundle on disk is not fresh', () => {
  expect(bundle.bundleIsFresh()).toBe(false);
});

test('a bundle newer than every workflow source is fresh', () => {
  builtAt(BUNDLE_TIME);
  expect(bundle.bundleIsFresh()).toBe(true);
});

test.each(SOURCES.map((file) => [path.relative(WORKFLOWS, file), file]))(
  'a change to workflows/%s after the build makes it stale',
  (_name, file) => {
    builtAt(BUNDLE_TIME);
    changedAfterBuild(file, () => expect(bundle.bundleIsFresh()).toBe(false));
    expect(bundle.bundleIsFresh()).toBe(true);
  },
);
