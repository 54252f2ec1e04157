/**
 * Clean-up that never hides the failure it cleans up after: a command that fails during start-up
 * reports that first error, not one from closing what it had started (the SDK refuses to close a
 * connection a worker still holds, for one).
 */
import { poflowLogger } from '../infra/logger';

/**
 * Runs `body`, then `cleanUp` whatever happened. When both fail, `body`'s error is thrown and the
 * clean-up's is logged.
 */
export async function withCleanUp<T>(body: () => Promise<T>, cleanUp: () => Promise<unknown>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    try {
      await cleanUp();
    } catch (cleanUpError) {
      poflowLogger('poflow').warn(
        { reason: (cleanUpError as Error).message },
        'clean-up after a failure failed too; the first failure is the one reported',
      );
    }
    throw err;
  }
  await cleanUp();
  return result;
}
