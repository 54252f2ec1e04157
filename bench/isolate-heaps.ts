/**
 * Preloaded into `poflow start` by bench/memory.ts (NODE_OPTIONS): on SIGWINCH, which nothing
 * else in poflow or the SDK handles (the SDK's Runtime shuts down on SIGUSR2), it collects
 * garbage in every isolate of the process (the main thread, the sandbox thread, the workflow
 * threads) through the inspector, then appends each isolate's heap and the process's RSS as one
 * JSON line to `POFLOW_HEAP_PROBE_OUT`. The RSS left after that is native memory.
 */
import { appendFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

export interface IsolateHeaps {
  rssMiB: number;
  /** Heap in use after a full collection, MiB, the main thread first. */
  heaps: { thread: string; usedMiB: number; totalMiB: number }[];
}

interface WorkerInfo {
  title: string;
  url: string;
}

const MiB = (bytes: number) => bytes / 1024 / 1024;

function install(out: string): void {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))),
    );
  const workers = new Map<string, WorkerInfo>();
  const answers = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  session.on(
    'NodeWorker.attachedToWorker',
    ({ params }: { params: { sessionId: string; workerInfo: WorkerInfo } }) =>
      workers.set(params.sessionId, params.workerInfo),
  );
  session.on('NodeWorker.detachedFromWorker', ({ params }: { params: { sessionId: string } }) =>
    workers.delete(params.sessionId),
  );
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }: { params: { message: string } }) => {
    const message = JSON.parse(params.message) as { id?: number; result?: unknown };
    if (message.id !== undefined) answers.get(message.id)?.(message.result);
  });
  /** One inspector command in a worker thread; undefined if it does not answer in 10 s. */
  const inWorker = <T>(sessionId: string, method: string) =>
    new Promise<T | undefined>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => answers.delete(id) && resolve(undefined), 10_000);
      answers.set(id, (result) => {
        clearTimeout(timer);
        answers.delete(id);
        resolve(result as T);
      });
      void post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
    });
  void post('NodeWorker.enable', { waitForDebuggerOnStart: false });

  process.on('SIGWINCH', () => {
    void (async () => {
      type Usage = { usedSize: number; totalSize: number };
      await post('HeapProfiler.collectGarbage');
      const main = await post<Usage>('Runtime.getHeapUsage');
      const heaps: IsolateHeaps['heaps'] = [
        { thread: 'main', usedMiB: MiB(main.usedSize), totalMiB: MiB(main.totalSize) },
      ];
      for (const [sessionId, info] of workers) {
        await inWorker(sessionId, 'HeapProfiler.collectGarbage');
        const usage = await inWorker<Usage>(sessionId, 'Runtime.getHeapUsage');
        const thread = info.url.includes('workflow-worker-thread') ? 'workflow' : 'sandbox';
        if (usage) heaps.push({ thread, usedMiB: MiB(usage.usedSize), totalMiB: MiB(usage.totalSize) });
      }
      const sample: IsolateHeaps = { rssMiB: MiB(process.memoryUsage().rss), heaps };
      appendFileSync(out, `${JSON.stringify(sample)}\n`);
    })();
  });
}

const out = process.env.POFLOW_HEAP_PROBE_OUT;
if (isMainThread && out) install(out);
