import { installTemporalBinaries } from '../worker/temporal-binaries';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';

/** Once per `npm test`: the Temporal binaries (installed if missing) and one workflow bundle. */
export default async function globalSetup(): Promise<void> {
  installTemporalBinaries((line) => console.log(`[temporal] ${line}`));
  await ensureWorkflowBundle();
}
