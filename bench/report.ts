/** The benchmark's results: the figures beside their targets, as a table and as an SVG chart. */
import type { ApiRun } from './api';
import type { BookRun, Rate } from './book';
import type { CliRun, FloodRun, ImportRun, ReplayRun } from './sections';
import type { ProcessRss } from './stack';
import type { Latency } from './stats';
import type { WebhookRun } from './webhook-latency';

/** How big a run is (`npm run bench`'s --smoke, default and --full), recorded with its results. */
export interface Scale {
  name: 'smoke' | 'default' | 'full';
  /** POs in the book that (a), (b), (c) and (d) run on. */
  book: number;
  inFlight: number;
  pings: number;
  /** POs in the CSV of (e). */
  imported: number;
  replayRounds: number;
  cliRuns: number;
  /** Provider events sent to one PO by bench/flood.ts. */
  floodEvents: number;
}

export interface RssSample {
  openPos: number;
  processes: ProcessRss[];
}

export interface BenchResults {
  label: string;
  scale: Scale;
  startedAt: string;
  seconds: number;
  machine: { cpus: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  ping: Rate;
  book: Omit<BookRun, 'openedAt' | 'names'> & { windows: number[]; firstTenth: number; lastTenth: number };
  rss: RssSample[];
  webhooks: WebhookRun;
  imported: ImportRun;
  replay: ReplayRun;
  cli: CliRun;
  /** Absent from runs made before bench/flood.ts existed. */
  flood?: FloodRun;
  /** Absent from runs made before the ERP API existed (bench/api.ts). */
  api?: ApiRun;
}

export interface Figure {
  section: string;
  what: string;
  value: string;
  target: string;
  /** undefined: no target, or this scale cannot tell. */
  met?: boolean;
}

const FULL_BOOK = 10_000;
const MiB_TARGET = 1024;
const IMPORT_TARGET_SECONDS = 15 * 60;

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number) => `${fixed(n, 0)} ms`;
const total = (sample: RssSample) => sample.processes.reduce((sum, p) => sum + p.rssMiB, 0);
/** `p50 40 ms, p99 300 ms` */
const percentiles = (latency: Latency) => `p50 ${ms(latency.p50Ms)}, p99 ${ms(latency.p99Ms)}`;

/** One row of the table; `met` undefined where there is no target or this scale cannot tell. */
/** The ERP API against the Temporal client it calls, and a cached PO read through it. */
function apiFigures(api: ApiRun): Figure[] {
  const ratio = api.apiPerSecond / api.directPerSecond;
  const pos = `${api.perRound * api.rounds} POs, ${api.inFlight} in flight`;
  const failures = api.apiFailures ? `, ${api.apiFailures} not 201` : '';
  return [
    figure('h', `POST /v1/purchase-orders (${pos})`, `${fixed(api.apiPerSecond)} POs/s${failures}`),
    figure(
      'h',
      'the same started with the Temporal client (baseline)',
      `${fixed(api.directPerSecond)} POs/s`,
    ),
    figure('h', 'ratio API : Temporal client', fixed(ratio, 2), '>= 0.9', ratio >= 0.9 && !api.apiFailures),
    figure(
      'h',
      `GET one open PO at ${fixed(api.get.perSecond, 0)}/s (${api.get.count} requests)`,
      `p50 ${ms(api.get.p50Ms)}, p99 ${ms(api.get.p99Ms)}` +
        (api.get.failures ? `, ${api.get.failures} not 200` : ''),
      'p99 <= 100 ms',
      api.get.p99Ms <= 100 && api.get.failures === 0,
    ),
  ];
}

function figure(section: string, what: string, value: string, target = '', met?: boolean): Figure {
  return { section, what, value, target, met };
}

export function figuresOf(r: BenchResults): Figure[] {
  const { book, ping, webhooks, imported, replay, cli } = r;
  const ratio = book.perSecond / ping.perSecond;
  const flat = book.lastTenth / book.firstTenth;
  const n = r.scale.book;
  const tenth = Math.max(1, Math.floor(n / 10));
  // The slope from the first tenth of the book on: the first POs also pay for warm-up (the bundle, caches).
  const inBook = r.rss.filter((s) => s.openPos > 0 && s.openPos <= n);
  const [first, atBook] = [inBook[0]!, inBook.at(-1)!];
  const perPo = (total(atBook) - total(first)) / Math.max(1, atBook.openPos - first.openPos);
  const projected = total(atBook) + perPo * (FULL_BOOK - atBook.openPos);
  const importProjected = (imported.seconds * FULL_BOOK) / imported.count;
  const full = r.scale.book >= FULL_BOOK;

  const rssAt = (sample: RssSample) => {
    const isTarget = sample.openPos >= FULL_BOOK;
    const afterImport = sample.openPos > n ? ' (after the import)' : '';
    return figure(
      'c',
      `RSS, all processes, ${sample.openPos} open POs${afterImport}`,
      `${fixed(total(sample), 0)} MiB (${byProcess(sample)})`,
      isTarget ? '< 1024 MiB' : '',
      isTarget ? total(sample) < MiB_TARGET : undefined,
    );
  };
  const timedOut = webhooks.unchecked ? ` (${webhooks.unchecked} state queries timed out)` : '';
  const notAnswered = `${webhooks.notOk} / ${webhooks.notVisible} of ${webhooks.count}${timedOut}`;
  const importTook = `${fixed(imported.seconds)} s (command ${fixed(imported.commandSeconds)} s`;
  const importProjection =
    imported.notOpen > 0 ? 'n/a: the import did not finish' : `${fixed(importProjected, 0)} s`;
  const replayRatio = fixed(replay.perSecond / replay.baselinePerSecond, 2);
  const timesNode = (took: number) => `${ms(took)} (${fixed(took / cli.nodeMs, 1)} x bare node)`;

  const figures: Figure[] = [
    figure(
      'a',
      `PO start to open, ${r.scale.inFlight} in flight`,
      `${fixed(book.perSecond)} POs/s (${percentiles(book)})`,
    ),
    figure(
      'a',
      'pingWorkflow start to result (baseline)',
      `${fixed(ping.perSecond)} /s (${percentiles(ping)})`,
    ),
    figure('a', 'ratio POs/s : pings/s', fixed(ratio, 2), '>= 0.5', ratio >= 0.5),
    figure('b', `POs 1-${tenth} (empty book)`, `${fixed(book.firstTenth)} POs/s`),
    figure('b', `POs ${n - tenth + 1}-${n}`, `${fixed(book.lastTenth)} POs/s`),
    figure('b', 'ratio last tenth : first tenth', fixed(flat, 2), '>= 0.8', flat >= 0.8),
    ...r.rss.map(rssAt),
    figure(
      'c',
      `RSS per open PO (slope, ${first.openPos} to ${atBook.openPos} open)`,
      `${fixed(perPo * 1024, 0)} KiB`,
    ),
    ...(full
      ? []
      : [
          figure(
            'c',
            `RSS at ${FULL_BOOK} open POs, projected from the slope`,
            `${fixed(projected, 0)} MiB`,
            '< 1024 MiB',
            projected < MiB_TARGET,
          ),
        ]),
    figure(
      'd',
      `webhook to visible in state, ${webhooks.eventsPerSecond}/s`,
      percentiles(webhooks.toVisible),
      'p50 <= 50 ms, p99 <= 250 ms',
      webhooks.toVisible.p50Ms <= 50 && webhooks.toVisible.p99Ms <= 250,
    ),
    figure('d', 'receiver time to 200', percentiles(webhooks.toOk)),
    figure(
      'd',
      'events not answered 200 / not visible',
      notAnswered,
      '0 / 0',
      webhooks.notOk + webhooks.notVisible === 0,
    ),
    figure(
      'e',
      `poflow import of ${imported.count} POs until all open`,
      `${importTook}, ${imported.notOpen} not open)`,
      full ? '< 900 s' : '',
      full ? imported.seconds < IMPORT_TARGET_SECONDS && imported.notOpen === 0 : undefined,
    ),
    ...(imported.count >= FULL_BOOK
      ? []
      : [
          figure(
            'e',
            `import of ${FULL_BOOK}, projected linearly`,
            importProjection,
            '< 900 s',
            imported.notOpen === 0 && importProjected < IMPORT_TARGET_SECONDS,
          ),
        ]),
    figure(
      'f',
      `replay of the recorded histories (${replay.histories})`,
      `${fixed(replay.perSecond)} histories/s`,
    ),
    figure(
      'f',
      'ratio to replaying ping histories (baseline)',
      `${replayRatio} (baseline ${fixed(replay.baselinePerSecond)}/s)`,
    ),
    figure('g', 'poflow --help', timesNode(cli.helpMs)),
    figure('g', 'poflow status <name>', timesNode(cli.statusMs)),
    figure('g', "bare node -e '' (baseline)", ms(cli.nodeMs)),
  ];
  if (r.api) figures.push(...apiFigures(r.api));
  if (r.flood) {
    const { flood } = r;
    const accepted = `${flood.baselineSignalsAcceptedPerSecond}/s the server accepts`;
    for (const [path, perSecond] of Object.entries(flood.eventsAbsorbedPerSecond)) {
      figures.push(
        figure(
          'flood',
          `events one PO absorbs (${path}, ${flood.events} events)`,
          `${perSecond} /s (${flood.ratioToBaseline[path]} x the ${accepted})`,
        ),
      );
      const tasks = flood.workflowTasks?.[path];
      if (tasks) {
        const overOneSecond = `${tasks.tasksOverOneSecond} of 1 s or more`;
        const failed = `${tasks.failedOrTimedOutTasks} failed or timed out`;
        figures.push(
          figure(
            'flood',
            `its longest workflow task (${tasks.runs} runs)`,
            `${ms(tasks.longestTaskMs)} (${overOneSecond}, ${failed})`,
            '< 1 s, none failed',
            tasks.longestTaskMs < 1_000 && tasks.failedOrTimedOutTasks === 0,
          ),
        );
      }
    }
    const lifecycle = flood.standardLifecycle;
    figures.push(
      figure(
        'flood',
        'history events of the standard lifecycle',
        `${lifecycle.historyEvents} (${lifecycle.workflowTasks} workflow tasks, ${lifecycle.status})`,
      ),
    );
  }
  if (Object.keys(book.notOpen).length > 0)
    figures.push(figure('a', 'POs that did not open', JSON.stringify(book.notOpen), 'none', false));
  return figures;
}

/** `poflow start 180, temporal 95`: RSS in MiB by kind of process. */
function byProcess(sample: RssSample): string {
  const sums = new Map<string, number>();
  for (const p of sample.processes) sums.set(kindOf(p.label), (sums.get(kindOf(p.label)) ?? 0) + p.rssMiB);
  return [...sums].map(([kind, mib]) => `${kind} ${fixed(mib, 0)}`).join(', ');
}

export function kindOf(label: string): string {
  if (label.startsWith('temporal')) return 'temporal';
  if (label.startsWith('esbuild')) return 'esbuild (tsx)';
  const args = label.split(' ');
  return args[0] === 'node' || args[0]?.startsWith('node') ? args.slice(1, 3).join(' ') : label;
}

export function printTable(figures: Figure[]): void {
  const mark = (f: Figure) => (f.met === undefined ? '' : f.met ? 'met' : 'MISSED');
  const rows = [
    ['', 'figure', 'measured', 'target', ''],
    ...figures.map((f) => [f.section, f.what, f.value, f.target, mark(f)]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    );
}

/** Markdown of the same table (`bench/results/<name>.md`), for docs/performance.md. */
export function markdownTable(figures: Figure[]): string {
  const mark = (f: Figure) => (f.met === undefined ? '' : f.met ? 'met' : '**missed**');
  return [
    '| | figure | measured | target | |',
    '| --- | --- | --- | --- | --- |',
    ...figures.map((f) => `| ${f.section} | ${f.what} | ${f.value} | ${f.target} | ${mark(f)} |`),
  ].join('\n');
}

/** Two panels: POs/s per tenth of the book against the ping baseline; RSS by process at each sample. */
export function chartSvg(r: BenchResults): string {
  const width = 960;
  const height = 360;
  const panel = { top: 50, bottom: 300, width: 400 };
  const parts: string[] = [];
  // A white halo keeps labels readable where they cross bars or lines.
  const halo = 'paint-order="stroke" stroke="white" stroke-width="3"';
  const text = (x: number, y: number, s: string, extra = '') =>
    parts.push(`<text x="${x}" y="${y}" ${halo} ${extra}>${escapeXml(s)}</text>`);

  // Left: throughput per tenth of the book.
  const left = 60;
  const maxRate = Math.max(r.ping.perSecond, ...r.book.windows) * 1.15;
  const y = (v: number) => panel.bottom - (v / maxRate) * (panel.bottom - panel.top);
  const bar = panel.width / r.book.windows.length;
  text(left, 30, `POs/s per tenth of a ${r.scale.book}-PO book (start to open)`, 'font-weight="bold"');
  r.book.windows.forEach((rate, i) => {
    const x = left + i * bar + 4;
    parts.push(
      `<rect x="${x}" y="${y(rate)}" width="${bar - 8}" height="${panel.bottom - y(rate)}" fill="#4a7fb5"/>`,
    );
    text(x + (bar - 8) / 2, y(rate) - 4, fixed(rate), 'text-anchor="middle" font-size="11"');
  });
  line(parts, left, left + panel.width, y(r.ping.perSecond), '#c0392b');
  text(
    left + panel.width,
    y(r.ping.perSecond) - 6,
    `pingWorkflow ${fixed(r.ping.perSecond)}/s`,
    'text-anchor="end" fill="#c0392b" font-size="12"',
  );
  line(parts, left, left + panel.width, y(r.ping.perSecond / 2), '#888');
  text(
    left + panel.width,
    y(r.ping.perSecond / 2) + 14,
    'target: half the ping rate',
    'text-anchor="end" fill="#666" font-size="12"',
  );
  axes(parts, left, panel, 'first tenth of the book → last tenth');

  // Right: RSS by kind of process.
  const right = 540;
  const kinds = [...new Set(r.rss.flatMap((s) => s.processes.map((p) => kindOf(p.label))))];
  const colours = ['#4a7fb5', '#e08e45', '#6aa84f', '#8e63b5', '#999'];
  const maxMiB = Math.max(MiB_TARGET, ...r.rss.map(total)) * 1.1;
  const yMiB = (v: number) => panel.bottom - (v / maxMiB) * (panel.bottom - panel.top);
  const column = panel.width / r.rss.length;
  text(right, 30, 'RSS of every process (MiB) by open POs', 'font-weight="bold"');
  r.rss.forEach((sample, i) => {
    let base = 0;
    const x = right + i * column + 6;
    kinds.forEach((kind, k) => {
      const mib = sample.processes.filter((p) => kindOf(p.label) === kind).reduce((s, p) => s + p.rssMiB, 0);
      const [top, barHeight] = [yMiB(base + mib), yMiB(base) - yMiB(base + mib)];
      const fill = colours[k % colours.length];
      parts.push(`<rect x="${x}" y="${top}" width="${column - 12}" height="${barHeight}" fill="${fill}"/>`);
      base += mib;
    });
    text(x + (column - 12) / 2, yMiB(base) - 4, fixed(base, 0), 'text-anchor="middle" font-size="11"');
    text(
      x + (column - 12) / 2,
      panel.bottom + 16,
      String(sample.openPos),
      'text-anchor="middle" font-size="11"',
    );
  });
  line(parts, right, right + panel.width, yMiB(MiB_TARGET), '#888');
  text(
    right + panel.width,
    yMiB(MiB_TARGET) - 6,
    'target: 1 GiB at 10,000 open POs',
    'text-anchor="end" fill="#666" font-size="12"',
  );
  let legend = right;
  kinds.forEach((kind, k) => {
    parts.push(
      `<rect x="${legend}" y="${height - 22}" width="10" height="10" fill="${colours[k % colours.length]}"/>`,
    );
    text(legend + 14, height - 13, kind, 'font-size="11"');
    legend += 30 + kind.length * 6;
  });
  axes(parts, right, panel, '');
  const load = r.machine.loadAverageAtStart.map((l) => fixed(l)).join(' ');
  text(
    left,
    height - 13,
    `${r.label}: ${r.startedAt}, ${r.machine.cpus} CPUs, load ${load}`,
    'font-size="11" fill="#666"',
  );

  const svg = [
    'xmlns="http://www.w3.org/2000/svg"',
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"`,
    'font-family="sans-serif" font-size="13"',
  ].join(' ');
  return [
    `<svg ${svg}>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function line(parts: string[], x1: number, x2: number, y: number, colour: string): void {
  parts.push(`<line x1="${x1}" x2="${x2}" y1="${y}" y2="${y}" stroke="${colour}" stroke-dasharray="6 4"/>`);
}

function axes(
  parts: string[],
  x: number,
  panel: { top: number; bottom: number; width: number },
  caption: string,
): void {
  parts.push(`<line x1="${x}" x2="${x}" y1="${panel.top}" y2="${panel.bottom}" stroke="#333"/>`);
  parts.push(
    `<line x1="${x}" x2="${x + panel.width}" y1="${panel.bottom}" y2="${panel.bottom}" stroke="#333"/>`,
  );
  if (caption)
    parts.push(`<text x="${x}" y="${panel.bottom + 16}" font-size="11">${escapeXml(caption)}</text>`);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
