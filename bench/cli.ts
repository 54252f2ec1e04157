/**
 * How long a `poflow` command takes from the shell, against a baseline measured in the same run:
 * a bare `node -e ''`. Each command runs as a user runs it (a fresh process, exit code checked),
 * compiled (`bin/poflow.js`) and, for comparison, the CLI as it was before the build (the commit
 * before it, `POFLOW_BENCH_BEFORE` [3296863^], checked out into a temporary folder: tsx compiling
 * every module on every run). `status` asks a PO on a local stack (dev server, sandbox, workers).
 * Prints medians of wall time and of CPU time (user + system, from /proc), and writes them to
 * bench/results/cli.json. Run: npx tsx bench/cli.ts [runs]
 */
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack } from '../test/support/stack';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';

const RUNS = Number(process.argv[2] ?? 10);
const COMPILED = [path.join(PROJECT_ROOT, 'bin', 'poflow.js')];
const BEFORE_REF = process.env.POFLOW_BENCH_BEFORE ?? '3296863^';

/** The CLI of `BEFORE_REF` in a temporary folder, with this checkout's node_modules. */
function checkoutBefore(): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-cli-before-'));
  execSync(`git archive ${BEFORE_REF} | tar -x -C ${dir}`, { cwd: PROJECT_ROOT });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return [path.join(dir, 'bin', 'poflow.js')];
}
// Clock ticks per second of /proc's times: 100 on Linux.
const TICKS = 100;

/** CPU seconds of this process's waited-for children so far (utime + stime of /proc/self/stat). */
function childrenCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", field 3 is state; cutime and cstime are fields 16 and 17.
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

interface Figure {
  command: string;
  wallMs: number;
  cpuMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * One run as a user's shell makes it; asynchronous, so the stack's workers in this process keep
 * answering.
 */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

/**
 * `endsIn`: the exit codes a run may end with (the CLI before the build cannot decode today's
 * encrypted payloads: its status fails at the last step, after the same connection, describe and
 * query).
 */
async function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  endsIn = [0],
): Promise<Figure> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpuBefore = childrenCpu();
    const started = process.hrtime.bigint();
    const result = await run(args, env);
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
    cpus.push((childrenCpu() - cpuBefore) * 1000);
    if (!endsIn.includes(result.status ?? -1))
      throw new Error(`${command}: exit ${result.status}\n${result.stderr}`);
  }
  return { command, wallMs: median(walls), cpuMs: median(cpus) };
}

async function main(): Promise<void> {
  await ensureWorkflowBundle();
  spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
  const ON_THE_FLY = checkoutBefore();
  const stack = await startStack();
  try {
    const env = stack.cliEnv;
    const submitted = await run([...COMPILED, 'submit', 'examples/po-1001-widgets.json'], env);
    if (submitted.status !== 0) throw new Error(`submit failed: ${submitted.stderr}`);
    // The worker's first workflow task (loading the bundle) can take a while on a busy machine.
    for (let tries = 0; ; tries++) {
      const ready = await run([...COMPILED, 'status', 'PO-1001'], env);
      if (ready.status === 0) break;
      if (tries === 60) throw new Error(`PO-1001 never answered: ${ready.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }

    const baseline = await measure("node -e ''", ['-e', ''], env);
    const figures = [
      baseline,
      await measure('poflow --help (compiled)', [...COMPILED, '--help'], env),
      await measure('poflow --help (before the build)', [...ON_THE_FLY, '--help'], env),
      await measure('poflow list --help (compiled)', [...COMPILED, 'list', '--help'], env),
      await measure('poflow list --help (before the build)', [...ON_THE_FLY, 'list', '--help'], env),
      await measure('poflow status PO-1001 (compiled)', [...COMPILED, 'status', 'PO-1001'], env),
      await measure(
        'poflow status PO-1001 (before the build; ends failing to decode)',
        [...ON_THE_FLY, 'status', 'PO-1001'],
        env,
        [1],
      ),
    ];
    const rows = figures.map((figure) => ({
      ...figure,
      wallRatio: figure.wallMs / baseline.wallMs,
      cpuRatio: figure.cpuMs / Math.max(baseline.cpuMs, 1),
    }));
    console.log(`median of ${RUNS} runs each; ratios against ${baseline.command} in the same run`);
    for (const row of rows) {
      const wall = `wall ${row.wallMs.toFixed(0).padStart(5)} ms (${row.wallRatio.toFixed(1).padStart(4)}x)`;
      const cpu = `cpu ${row.cpuMs.toFixed(0).padStart(5)} ms (${row.cpuRatio.toFixed(1).padStart(4)}x)`;
      console.log(`${row.command.padEnd(48)} ${wall}   ${cpu}`);
    }
    const results = path.join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    writeFileSync(
      path.join(results, 'cli.json'),
      `${JSON.stringify({ runs: RUNS, at: new Date().toISOString(), figures: rows }, null, 2)}\n`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
