/**
 * Where `poflow start`'s memory goes as the book grows. At each mark it reads the RSS of every
 * process of the stack, then has bench/isolate-heaps.ts (preloaded into `poflow start`) collect
 * garbage in every isolate and report each one's heap: what RSS is left beyond the heaps is
 * native memory (the SDK core's state for each cached run, allocator slack). Run it with two
 * cache sizes to see what a cached PO costs against one outside the cache:
 *
 *   npx tsx bench/memory.ts --book 1500 --cache 1000
 *   npx tsx bench/memory.ts --book 1500 --cache 250
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import { buildSync, stop as stopEsbuild } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { poflowDataConverter } from '../codec/aes-gcm';
import { parseCodecKeys } from '../codec/keys';
import { growBook } from './book';
import type { IsolateHeaps } from './isolate-heaps';
import { kindOf } from './report';
import { startBenchStack, treeRss } from './stack';

interface Sample extends IsolateHeaps {
  openPos: number;
  /** RSS of each kind of process as read, before the collection. */
  processes: Record<string, number>;
}

const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return n;
};

async function main(): Promise<void> {
  const options = new Command('memory')
    .description("poflow start's memory by isolate as the book grows")
    .option('--book <count>', 'POs to open', count, 1500)
    .option('--cache <count>', 'POFLOW_MAX_CACHED_WORKFLOWS for the run', count, 250)
    .option('--in-flight <count>', 'POs started at once', count, 32)
    .parse()
    .opts<{ book: number; cache: number; inFlight: number }>();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-memory-'));
  const out = path.join(dir, 'heaps.jsonl');
  const stack = await startBenchStack({
    POFLOW_MAX_CACHED_WORKFLOWS: String(options.cache),
    POFLOW_HEAP_PROBE_OUT: out,
    // Compiled to plain JS first: preloading tsx would itself add to the heap it measures.
    NODE_OPTIONS: `--require ${compiledProbe(dir)}`,
  });
  const samples: Sample[] = [];
  const sample = async (openPos: number) => {
    const processes: Record<string, number> = {};
    for (const p of treeRss(stack.pid)) {
      const kind = kindOf(p.label);
      processes[kind] = (processes[kind] ?? 0) + p.rssMiB;
    }
    const before = lines(out).length;
    process.kill(stack.pid, 'SIGWINCH');
    for (let waited = 0; lines(out).length === before && waited < 30_000; waited += 200) await sleep(200);
    const heaps = lines(out)[before];
    if (heaps) samples.push({ openPos, processes, ...(JSON.parse(heaps) as IsolateHeaps) });
  };
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({
      connection,
      dataConverter: poflowDataConverter(parseCodecKeys(stack.codecKeys, 'the stack')),
    });
    await sample(0);
    const marks = new Set([0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(options.book * f)));
    // Samples are taken one at a time while the book keeps growing.
    let sampling = Promise.resolve();
    await growBook(client, `MEM-${Date.now().toString(36)}`, options.book, options.inFlight, (opened) => {
      if (marks.has(opened)) sampling = sampling.then(() => sample(opened));
    });
    await sampling;
  } finally {
    await connection.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  print(samples, options.cache);
}

function compiledProbe(dir: string): string {
  const outfile = path.join(dir, 'isolate-heaps.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'isolate-heaps.ts')],
    outfile,
    platform: 'node',
    format: 'cjs',
    bundle: true,
    logLevel: 'warning',
  });
  stopEsbuild(); // its service process would outlive the build
  return outfile;
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function print(samples: readonly Sample[], cache: number): void {
  const mib = (n: number) => n.toFixed(0).padStart(7);
  const heapOf = (s: Sample, thread: string) =>
    s.heaps.filter((h) => h.thread === thread).reduce((sum, h) => sum + h.usedMiB, 0);
  const native = (s: Sample) => s.rssMiB - s.heaps.reduce((sum, h) => sum + h.totalMiB, 0);
  console.log(
    `\nMiB, cache ${cache}; heaps in use after a full collection; native = RSS after it - every heap's size`,
  );
  const columns = [
    'open POs',
    'poflow RSS',
    'after GC',
    'main heap',
    'sandbox heap',
    'workflow heaps',
    'native',
    'temporal RSS',
    'KiB per PO since last',
  ];
  console.log(columns.join(' | '));
  samples.forEach((s, i) => {
    const previous = samples[i - 1];
    const slope = previous
      ? `${(((s.rssMiB - previous.rssMiB) * 1024) / (s.openPos - previous.openPos)).toFixed(0)}`
      : '';
    console.log(
      [
        String(s.openPos).padStart(8),
        mib(s.processes['poflow.js start'] ?? 0),
        mib(s.rssMiB),
        mib(heapOf(s, 'main')),
        mib(heapOf(s, 'sandbox')),
        mib(heapOf(s, 'workflow')),
        mib(native(s)),
        mib(s.processes.temporal ?? 0),
        slope.padStart(6),
      ].join(' | '),
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
