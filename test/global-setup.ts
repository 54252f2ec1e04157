import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { installTemporalBinaries } from '../worker/temporal-binaries';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';

/**
 * Once per `npm test`: the Temporal binaries (installed if missing), one workflow bundle, and the
 * compiled CLI the `poflow` subprocesses run (bin/poflow.js would rebuild a stale one by itself).
 */
export default async function globalSetup(): Promise<void> {
  installTemporalBinaries((line) => console.log(`[temporal] ${line}`));
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.js')], { stdio: 'inherit' });
  await ensureWorkflowBundle();
}
