/** The smallest round trip through a worker: `poflow start` runs it to prove the worker polls. */
export async function pingWorkflow(): Promise<string> {
  return 'pong';
}
