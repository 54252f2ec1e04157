/** A long-running `poflow` command (start, worker, codec-server, ...) as a test drives it: spawned, awaited, stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { PROJECT_ROOT } from '../../worker/temporal-binaries';

export interface RunningPoflow {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Ctrl-C (SIGINT) unless it has exited; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** `poflow ...args` until its output shows every `ready` text (log and printed lines may come in either order). */
export async function runningPoflow(
  env: NodeJS.ProcessEnv,
  ready: string[],
  args: string[],
  timeoutMs = 90_000,
): Promise<RunningPoflow> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const [code] = await exited;
    return code;
  };
  for (const deadline = Date.now() + timeoutMs; !ready.every((text) => output.includes(text));) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`poflow ${args.join(' ')} did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, output: () => output, stop };
}
