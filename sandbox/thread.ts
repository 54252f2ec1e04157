/**
 * The sandbox in a worker thread of its own: under `poflow start` a busy sandbox (HTTP, webhook
 * deliveries, persistence) then never delays the activities and the webhook receiver on the main
 * event loop. The thread runs this same module, which then starts the sandbox and waits for the
 * order to close it.
 */
import { once } from 'node:events';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { poflowLogger } from '../infra/logger';
import { startSandbox, type Sandbox, type SandboxOptions } from './server';

const THREAD_MARK = 'poflowSandboxThread';

type Started = { url: string; port: number } | { error: string };

export async function startSandboxThread(options: SandboxOptions): Promise<Sandbox> {
  // Compiled into dist/poflow.js, the thread runs the compiled entry beside it (scripts/build.js).
  // From the sources, threads do not inherit the TypeScript loader: the thread registers it first.
  const entry = __filename.endsWith('.js')
    ? `require(${JSON.stringify(path.join(__dirname, 'sandbox-thread.js'))});`
    : `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`;
  const thread = new Worker(entry, { eval: true, workerData: { [THREAD_MARK]: options } });
  const exited = once(thread, 'exit');
  const [started] = (await Promise.race([
    once(thread, 'message'),
    exited.then(([code]) => [{ error: `the sandbox thread exited with code ${String(code)}` }]),
  ])) as [Started];
  if ('error' in started) {
    await thread.terminate();
    throw new Error(started.error);
  }
  // A sandbox that dies later takes the stack down the way Ctrl-C does: everything else stops in order.
  thread.once('error', (err) => {
    console.error(`the sandbox thread failed: ${err.stack ?? String(err)}`);
    process.kill(process.pid, 'SIGTERM');
  });
  return {
    ...started,
    async close() {
      thread.postMessage('close');
      await exited;
    },
  };
}

async function runInThread(port: NonNullable<typeof parentPort>, options: SandboxOptions): Promise<void> {
  const logger = poflowLogger('sandbox');
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ ...options, logger });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies Started);
    return;
  }
  port.once('message', () => {
    void sandbox.close().finally(() => port.close());
  });
  logger.info({ url: sandbox.url }, 'sandbox running in its own thread');
  port.postMessage({ url: sandbox.url, port: sandbox.port } satisfies Started);
}

const threadOptions = (workerData as Record<string, SandboxOptions> | null)?.[THREAD_MARK];
if (!isMainThread && parentPort && threadOptions) void runInThread(parentPort, threadOptions);
