/**
 * `npm run test:cluster`: poflow against the cluster of `npm run cluster -- up`, with two
 * `poflow worker` processes, the webhook receiver and the sandbox, each its own process. Rounds:
 * the CLI lifecycle, signed webhooks and reconciliation, start rate against `pingWorkflow`, an
 * import of 1,000 POs, the Flxpoint rate limit with two workers, and an import through a SIGKILL
 * of a worker and of the history service. Prints a summary with figures; exits 1 on any failure.
 * Not part of `npm test`: it runs for many minutes.
 */
import { Command, Option } from 'commander';
import { faultRound, flxpointRound, importRound, startRateRound } from './cluster/load-rounds';
import { lifecycleRound, webhooksRound } from './cluster/operator-rounds';
import { openRun, type ClusterRun, type Round } from './cluster/run';

interface Options {
  /** Only these rounds (by key), in their usual order. */
  rounds?: string[];
  pos: number;
  rate: number;
  flxpoint: number;
  faults: number;
}

function roundsOf(options: Options): Array<[string, (run: ClusterRun) => Promise<Round>]> {
  return [
    ['lifecycle', lifecycleRound],
    ['webhooks', webhooksRound],
    ['rate', (r) => startRateRound(r, options.rate)],
    ['import', (r) => importRound(r, options.pos)],
    ['flxpoint', (r) => flxpointRound(r, options.flxpoint)],
    ['faults', (r) => faultRound(r, options.faults)],
  ];
}

async function runClusterTest(options: Options): Promise<Round[]> {
  const log = (line: string) => console.error(line);
  const run = await openRun(log);
  const rounds = roundsOf(options).filter(([key]) => !options.rounds || options.rounds.includes(key));
  const results: Round[] = [];
  try {
    log(`cluster-test: poflow processes up against ${run.env.TEMPORAL_ADDRESS} (POs named ${run.tag}-*)`);
    for (const [name, round] of rounds) {
      const began = Date.now();
      log(`cluster-test: ${name}...`);
      const result = await round(run).catch((err: Error): Round => ({
        name,
        figures: {},
        failures: [err.stack ?? err.message],
      }));
      result.figures['round took'] = `${Math.round((Date.now() - began) / 1000)} s`;
      // Each round's figures as it ends: a run cut short still tells what it measured.
      const verdict = result.failures.length === 0 ? 'passed' : 'FAILED';
      log(`cluster-test: ${name}: ${verdict} ${JSON.stringify(result)}`);
      results.push(result);
    }
  } finally {
    await run.close();
  }
  return results;
}

function describe(rounds: Round[]): string {
  const lines = ['', 'poflow on the cluster:'];
  for (const round of rounds) {
    lines.push(`  ${round.failures.length === 0 ? 'ok  ' : 'FAIL'} ${round.name}`);
    for (const [label, value] of Object.entries(round.figures)) lines.push(`         ${label}: ${value}`);
    for (const failure of round.failures) lines.push(`         ! ${failure}`);
  }
  const failed = rounds.filter((r) => r.failures.length > 0).length;
  lines.push(failed === 0 ? 'all rounds passed' : `${failed} of ${rounds.length} rounds failed`);
  return lines.join('\n');
}

if (require.main === module) {
  const count = (flag: string, what: string, fallback: number) =>
    new Option(flag, what).argParser(Number).default(fallback);
  const program = new Command('test:cluster')
    .description('poflow against the local cluster (npm run cluster -- up): every round, then a summary')
    .addOption(count('--pos <n>', 'POs in the import round', 1000))
    .addOption(count('--rate <n>', 'pings and POs in the start-rate round', 200))
    .addOption(count('--flxpoint <n>', 'Flxpoint POs submitted at once', 50))
    .addOption(count('--faults <n>', 'POs imported through the kills', 300))
    .addOption(
      new Option('--rounds <keys>', 'only these rounds, comma-separated').argParser((v) => v.split(',')),
    )
    .option('--json', 'print the rounds as JSON');
  program.parse();
  const options = program.opts<Options & { json?: boolean }>();
  const keys = roundsOf(options).map(([key]) => key);
  const unknown = options.rounds?.filter((key) => !keys.includes(key)) ?? [];
  if (unknown.length > 0)
    program.error(`--rounds: no round ${unknown.join(', ')}; the rounds are ${keys.join(', ')}`, {
      exitCode: 2,
    });
  runClusterTest(options).then(
    (rounds) => {
      console.log(options.json ? JSON.stringify(rounds, null, 2) : describe(rounds));
      process.exitCode = rounds.every((r) => r.failures.length === 0) ? 0 : 1;
    },
    (err: unknown) => {
      console.error(`cluster-test: ${err instanceof Error ? err.stack : String(err)}`);
      process.exitCode = 1;
    },
  );
}
