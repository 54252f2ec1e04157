/** The benchmark's results: the figures beside their targets, as a table and as an SVG chart. */
import type { BookRun, Rate } from './book';
import type { Scale } from './run';
import type { CliRun, FloodRun, ImportRun, ReplayRun } from './sections';
import type { ProcessRss } from './stack';
import type { WebhookRun } from './webhook-latency';

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

export function figuresOf(r: BenchResults): Figure[] {
  const ratio = r.book.perSecond / r.ping.perSecond;
  const flat = r.book.lastTenth / r.book.firstTenth;
  const n = r.scale.book;
  const tenth = Math.max(1, Math.floor(n / 10));
  // The slope from the first tenth of the book on: the first POs also pay for warm-up (the bundle, caches).
  const inBook = r.rss.filter((s) => s.openPos > 0 && s.openPos <= n);
  const [first, atBook] = [inBook[0]!, inBook.at(-1)!];
  const perPo = (total(atBook) - total(first)) / Math.max(1, atBook.openPos - first.openPos);
  const projected = total(atBook) + perPo * (FULL_BOOK - atBook.openPos);
  const importProjected = (r.imported.seconds * FULL_BOOK) / r.imported.count;
  const full = r.scale.book >= FULL_BOOK;
  const figures: Figure[] = [
    {
      section: 'a',
      what: `PO start to open, ${r.scale.inFlight} in flight`,
      value: `${fixed(r.book.perSecond)} POs/s (p50 ${ms(r.book.p50Ms)}, p99 ${ms(r.book.p99Ms)})`,
      target: '',
    },
    {
      section: 'a',
      what: 'pingWorkflow start to result (baseline)',
      value: `${fixed(r.ping.perSecond)} /s (p50 ${ms(r.ping.p50Ms)}, p99 ${ms(r.ping.p99Ms)})`,
      target: '',
    },
    {
      section: 'a',
      what: 'ratio POs/s : pings/s',
      value: fixed(ratio, 2),
      target: '>= 0.5',
      met: ratio >= 0.5,
    },
    {
      section: 'b',
      what: `POs 1-${tenth} (empty book)`,
      value: `${fixed(r.book.firstTenth)} POs/s`,
      target: '',
    },
    {
      section: 'b',
      what: `POs ${n - tenth + 1}-${n}`,
      value: `${fixed(r.book.lastTenth)} POs/s`,
      target: '',
    },
    {
      section: 'b',
      what: 'ratio last tenth : first tenth',
      value: fixed(flat, 2),
      target: '>= 0.8',
      met: flat >= 0.8,
    },
    ...r.rss.map((sample): Figure => {
      const isTarget = sample.openPos >= FULL_BOOK;
      return {
        section: 'c',
        what: `RSS, all processes, ${sample.openPos} open POs${sample.openPos > n ? ' (after the import)' : ''}`,
        value: `${fixed(total(sample), 0)} MiB (${byProcess(sample)})`,
        target: isTarget ? '< 1024 MiB' : '',
        met: isTarget ? total(sample) < MiB_TARGET : undefined,
      };
    }),
    {
      section: 'c',
      what: `RSS per open PO (slope, ${first.openPos} to ${atBook.openPos} open)`,
      value: `${fixed(perPo * 1024, 0)} KiB`,
      target: '',
    },
    ...(full
      ? []
      : [
          {
            section: 'c',
            what: `RSS at ${FULL_BOOK} open POs, projected from the slope`,
            value: `${fixed(projected, 0)} MiB`,
            target: '< 1024 MiB',
            met: projected < MiB_TARGET,
          },
        ]),
    {
      section: 'd',
      what: `webhook to visible in state, ${r.webhooks.eventsPerSecond}/s`,
      value: `p50 ${ms(r.webhooks.toVisible.p50Ms)}, p99 ${ms(r.webhooks.toVisible.p99Ms)}`,
      target: 'p50 <= 50 ms, p99 <= 250 ms',
      met: r.webhooks.toVisible.p50Ms <= 50 && r.webhooks.toVisible.p99Ms <= 250,
    },
    {
      section: 'd',
      what: 'receiver time to 200',
      value: `p50 ${ms(r.webhooks.toOk.p50Ms)}, p99 ${ms(r.webhooks.toOk.p99Ms)}`,
      target: '',
    },
    {
      section: 'd',
      what: 'events not answered 200 / not visible',
      value: `${r.webhooks.notOk} / ${r.webhooks.notVisible} of ${r.webhooks.count}${r.webhooks.unchecked ? ` (${r.webhooks.unchecked} state queries timed out)` : ''}`,
      target: '0 / 0',
      met: r.webhooks.notOk + r.webhooks.notVisible === 0,
    },
    {
      section: 'e',
      what: `poflow import of ${r.imported.count} POs until all open`,
      value: `${fixed(r.imported.seconds)} s (command ${fixed(r.imported.commandSeconds)} s, ${r.imported.notOpen} not open)`,
      target: full ? '< 900 s' : '',
      met: full ? r.imported.seconds < IMPORT_TARGET_SECONDS && r.imported.notOpen === 0 : undefined,
    },
    ...(r.imported.count >= FULL_BOOK
      ? []
      : [
          {
            section: 'e',
            what: `import of ${FULL_BOOK}, projected linearly`,
            value:
              r.imported.notOpen > 0 ? 'n/a: the import did not finish' : `${fixed(importProjected, 0)} s`,
            target: '< 900 s',
            met: r.imported.notOpen === 0 && importProjected < IMPORT_TARGET_SECONDS,
          },
        ]),
    {
      section: 'f',
      what: `replay of the recorded histories (${r.replay.histories})`,
      value: `${fixed(r.replay.perSecond)} histories/s`,
      target: '',
    },
    {
      section: 'f',
      what: 'ratio to replaying ping histories (baseline)',
      value: `${fixed(r.replay.perSecond / r.replay.baselinePerSecond, 2)} (baseline ${fixed(r.replay.baselinePerSecond)}/s)`,
      target: '',
    },
    {
      section: 'g',
      what: 'poflow --help',
      value: `${ms(r.cli.helpMs)} (${fixed(r.cli.helpMs / r.cli.nodeMs, 1)} x bare node)`,
      target: '',
    },
    {
      section: 'g',
      what: 'poflow status <name>',
      value: `${ms(r.cli.statusMs)} (${fixed(r.cli.statusMs / r.cli.nodeMs, 1)} x bare node)`,
      target: '',
    },
    { section: 'g', what: "bare node -e '' (baseline)", value: ms(r.cli.nodeMs), target: '' },
  ];
  if (r.flood) {
    const { flood } = r;
    for (const [path, perSecond] of Object.entries(flood.eventsAbsorbedPerSecond)) {
      figures.push({
        section: 'flood',
        what: `events one PO absorbs (${path}, ${flood.events} events)`,
        value: `${perSecond} /s (${flood.ratioToBaseline[path]} x the ${flood.baselineSignalsAcceptedPerSecond}/s the server accepts)`,
        target: '',
      });
      const tasks = flood.workflowTasks?.[path];
      if (tasks)
        figures.push({
          section: 'flood',
          what: `its longest workflow task (${tasks.runs} runs)`,
          value: `${ms(tasks.longestTaskMs)} (${tasks.tasksOverOneSecond} of 1 s or more, ${tasks.failedOrTimedOutTasks} failed or timed out)`,
          target: '< 1 s, none failed',
          met: tasks.longestTaskMs < 1_000 && tasks.failedOrTimedOutTasks === 0,
        });
    }
    figures.push({
      section: 'flood',
      what: 'history events of the standard lifecycle',
      value: `${flood.standardLifecycle.historyEvents} (${flood.standardLifecycle.workflowTasks} workflow tasks, ${flood.standardLifecycle.status})`,
      target: '',
    });
  }
  if (Object.keys(r.book.notOpen).length > 0) {
    figures.push({
      section: 'a',
      what: 'POs that did not open',
      value: JSON.stringify(r.book.notOpen),
      target: 'none',
      met: false,
    });
  }
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
  const text = (x: number, y: number, s: string, extra = '') =>
    parts.push(
      `<text x="${x}" y="${y}" paint-order="stroke" stroke="white" stroke-width="3" ${extra}>${escapeXml(s)}</text>`,
    );

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
      parts.push(
        `<rect x="${x}" y="${yMiB(base + mib)}" width="${column - 12}" height="${yMiB(base) - yMiB(base + mib)}" fill="${colours[k % colours.length]}"/>`,
      );
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
  text(
    left,
    height - 13,
    `${r.label}: ${r.startedAt}, ${r.machine.cpus} CPUs, load ${r.machine.loadAverageAtStart.map((l) => fixed(l)).join(' ')}`,
    'font-size="11" fill="#666"',
  );

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
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
