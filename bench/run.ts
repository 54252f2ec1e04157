/**
 * `npm run bench`: issue #10's figures side by side in one run on the embedded stack (`poflow
 * start` in its own process tree, private ports and data dir). Prints a table with each figure
 * beside its target and writes JSON plus an SVG chart to bench/results/.
 *
 *   npm run bench                 # about 10 minutes: a 1,000-PO book, figures scaled from it
 *   npm run bench -- --full       # the 10,000-PO figures
 *   npm run bench -- --smoke      # a few POs: checks the script still runs, measures nothing
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { poflowDataConverter } from '../codec/aes-gcm';
import { parseCodecKeys } from '../codec/keys';
import { TEST_CODEC_KEYS } from '../test/support/codec';
import { growBook, pings, throughputOf } from './book';
import {
  chartSvg,
  figuresOf,
  markdownTable,
  printTable,
  type BenchResults,
  type RssSample,
  type Scale,
} from './report';
import { apiSection } from './api';
import { cliTimes, flood, importCsv, replayHistories } from './sections';
import { startBenchStack, treeRss } from './stack';
import { webhookLatency } from './webhook-latency';

const SCALES: Record<Scale['name'], Scale> = {
  smoke: {
    name: 'smoke',
    book: 10,
    inFlight: 4,
    pings: 10,
    imported: 10,
    replayRounds: 1,
    cliRuns: 1,
    floodEvents: 200,
  },
  default: {
    name: 'default',
    book: 1000,
    inFlight: 32,
    pings: 300,
    imported: 1000,
    replayRounds: 25,
    cliRuns: 5,
    floodEvents: 2000,
  },
  full: {
    name: 'full',
    book: 10_000,
    inFlight: 32,
    pings: 1000,
    imported: 10_000,
    replayRounds: 50,
    cliRuns: 5,
    floodEvents: 5000,
  },
};
const WEBHOOK_EVENTS_PER_SECOND = 50;

export async function runBench(
  scale: Scale,
  outDir: string,
  label: string,
  importMinutes = 30,
): Promise<BenchResults> {
  // The replay section's worker logs at warnings only: the table stays readable.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const run = `BENCH-${Date.now().toString(36).toUpperCase()}`;
  const began = Date.now();
  const load = os.loadavg();
  const stack = await startBenchStack();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const dataConverter = poflowDataConverter(parseCodecKeys(stack.codecKeys, "the bench stack's keys"));
  const client = new Client({ connection, dataConverter });
  // Written again after every section, so a run cut short keeps what it measured.
  const results: Partial<BenchResults> = { label, scale, startedAt: new Date(began).toISOString() };
  const save = (section: Partial<BenchResults>) => {
    Object.assign(results, section, { seconds: (Date.now() - began) / 1000 });
    results.machine = {
      cpus: os.cpus().length,
      node: process.version,
      loadAverageAtStart: load,
      loadAverageAtEnd: os.loadavg(),
    };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, `${label}.json`), `${JSON.stringify(results, null, 2)}\n`);
  };
  try {
    const step = (text: string) =>
      console.error(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}`);
    const rss: RssSample[] = [{ openPos: 0, processes: treeRss(stack.pid) }];
    const milestones = new Set([0.1, 0.5, 1].map((f) => Math.round(scale.book * f)));

    step(`(a) ${scale.pings} ping workflows, ${scale.inFlight} in flight`);
    save({ ping: await pings(client, run, scale.pings, scale.inFlight) });
    const pingHistory = await client.workflow.getHandle(`${run}-ping-0`).fetchHistory();

    step(`(a-c) a book of ${scale.book} POs, ${scale.inFlight} in flight`);
    const book = await growBook(client, `${run}-PO`, scale.book, scale.inFlight, (opened) => {
      if (milestones.has(opened)) rss.push({ openPos: opened, processes: treeRss(stack.pid) });
    });
    const tenth = Math.max(1, Math.floor(book.openedAt.length / 10));
    const windows = Array.from({ length: Math.floor(book.openedAt.length / tenth) }, (_, i) =>
      throughputOf(book.openedAt, i * tenth, (i + 1) * tenth),
    );
    save({
      rss,
      book: {
        count: book.count,
        perSecond: book.perSecond,
        p50Ms: book.p50Ms,
        p99Ms: book.p99Ms,
        notOpen: book.notOpen,
        windows,
        firstTenth: windows[0]!,
        lastTenth: windows.at(-1)!,
      },
    });

    step(`(d) ${book.names.length} signed webhooks at ${WEBHOOK_EVENTS_PER_SECOND}/s`);
    save({
      webhooks: await webhookLatency(
        client,
        { url: stack.webhookUrl, secret: stack.webhookSecret },
        book.names,
        WEBHOOK_EVENTS_PER_SECOND,
      ),
    });

    const apiRounds = 4;
    const perRound = Math.max(1, Math.round(scale.book / 4 / apiRounds));
    step(`(h) ERP API: ${apiRounds} rounds of ${perRound} POs through the API and the Temporal client`);
    save({
      api: await apiSection(client, stack.api, `${run}-API`, {
        perRound,
        rounds: apiRounds,
        inFlight: scale.inFlight,
        getPerSecond: 50,
        getSeconds: scale.name === 'smoke' ? 2 : 20,
      }),
    });

    step(`(g) CLI, median of ${scale.cliRuns}`);
    save({ cli: await cliTimes(stack.cliEnv, book.names[0]!, scale.cliRuns) });

    step(`(f) replay of the recorded histories x ${scale.replayRounds}`);
    // The recorded histories are encrypted with the suites' key, the ping history with this stack's.
    const replayKeys = parseCodecKeys(`${stack.codecKeys},${TEST_CODEC_KEYS}`, 'the bench and test keys');
    save({ replay: await replayHistories(pingHistory, scale.replayRounds, poflowDataConverter(replayKeys)) });

    step(`(e) poflow import of ${scale.imported} POs`);
    const imported = await importCsv(client, stack.cliEnv, scale.imported, `${run}-IMP`, importMinutes * 60);
    rss.push({
      openPos: book.names.length + scale.imported - imported.notOpen,
      processes: treeRss(stack.pid),
    });
    save({ imported, rss });

    step(`flood: ${scale.floodEvents} provider events to one PO (bench/flood.ts, its own dev server)`);
    save({ flood: await flood(scale.floodEvents, 20 * 60) });

    const done = results as BenchResults;
    writeFileSync(path.join(outDir, `${label}.svg`), chartSvg(done));
    writeFileSync(path.join(outDir, `${label}.md`), `${markdownTable(figuresOf(done))}\n`);
    printTable(figuresOf(done));
    console.log(`\nwritten: ${path.join(outDir, label)}.{json,svg,md}`);
    return done;
  } finally {
    await connection.close();
    await stack.stop();
  }
}

const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  return n;
};

if (require.main === module) {
  const program = new Command('bench')
    .description("issue #10's figures on the embedded stack")
    .option('--full', 'the 10,000-PO figures')
    .option('--smoke', 'a few POs, to check the script runs')
    .option('--book <count>', "POs in the book of (a)-(d), instead of the scale's", count)
    .option('--import <count>', "POs in the CSV of (e), instead of the scale's", count)
    .option('--import-minutes <minutes>', 'how long (e) waits for the import at most', count, 30)
    .option('--name <label>', 'base name of the result files (default: the time)', (value) => {
      if (!/^[\w.-]+$/.test(value)) throw new InvalidArgumentError('letters, digits, . _ - only');
      return value;
    })
    .option('--out <dir>', 'results folder', path.join(__dirname, 'results'))
    .parse();
  const options = program.opts<{
    full?: boolean;
    smoke?: boolean;
    book?: number;
    import?: number;
    importMinutes: number;
    name?: string;
    out: string;
  }>();
  const preset = SCALES[options.smoke ? 'smoke' : options.full ? 'full' : 'default'];
  const scale = { ...preset, book: options.book ?? preset.book, imported: options.import ?? preset.imported };
  const label = options.name ?? `${scale.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  runBench(scale, options.out, label, options.importMinutes).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
