/**
 * Resolves on Ctrl-C or SIGTERM, or once `ended` settles (a worker that stopped by itself), so a
 * long-running command can then stop what it started, in order.
 */
export function untilInterrupted(ended?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    void ended?.then(
      () => resolve(),
      () => resolve(),
    );
  });
}
