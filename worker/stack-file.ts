/**
 * `.data/stack.json`: where the parts of a running `poflow start` listen, so a command in a second
 * terminal finds them without exported ports. Written once the stack is up, removed on a clean
 * stop; a file whose pid is gone (a killed stack) is ignored. Addresses and ports only: never a
 * token, a secret or a key.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const Port = z.number().int().min(0).max(65535);
const Listener = z.object({ port: Port }).optional();

const StackFileSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  temporal: z.object({
    address: z.string().min(1),
    /** The Web UI, when known. */
    uiUrl: z.string().optional(),
    /** Whether it is `poflow start`'s own dev server (plain gRPC on loopback) or a configured cluster. */
    embedded: z.boolean(),
  }),
  /** Absent: the sandbox was not started (a provider at a configured address). */
  sandbox: Listener,
  webhooks: Listener,
  codec: Listener,
  /** Absent: the API did not start (its port was in use). */
  api: Listener,
  metrics: Listener,
  dataDir: z.string(),
});

export type StackFile = z.infer<typeof StackFileSchema>;

export function stackFilePath(dataDir: string): string {
  return path.join(dataDir, 'stack.json');
}

/** Whether a process with this pid exists (one of another user's counts: it is not ESRCH). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Replaces the file in one step, so a reader never sees half of it. */
export function writeStackFile(dataDir: string, stack: StackFile): string {
  const file = stackFilePath(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(StackFileSchema.parse(stack), null, 2)}\n`);
  renameSync(partial, file);
  return file;
}

/** Removes the file if it is still this process's (another start may have written its own since). */
export function removeStackFile(dataDir: string, pid = process.pid): void {
  const file = stackFilePath(dataDir);
  const stack = readStackFileUnchecked(file);
  if (stack === undefined || stack.pid === pid) rmSync(file, { force: true });
}

/**
 * The running stack recorded in `dataDir`: undefined when there is no file, when it cannot be
 * read or parsed, or when its pid is gone.
 */
export function readLiveStack(dataDir: string): StackFile | undefined {
  const stack = readStackFileUnchecked(stackFilePath(dataDir));
  return stack && pidAlive(stack.pid) ? stack : undefined;
}

function readStackFileUnchecked(file: string): StackFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = StackFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The port of `host:port` or of a URL with an explicit port; undefined when it has none. */
export function portOf(address: string): number | undefined {
  if (address.includes('://')) {
    const port = URL.parse(address)?.port;
    return port ? Number(port) : undefined;
  }
  const match = /:(\d+)$/.exec(address.trim());
  return match ? Number(match[1]) : undefined;
}
