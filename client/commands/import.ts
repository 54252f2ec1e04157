/**
 * `poflow import <file>`: many POs from an ERP export. Every PO is validated first; with any
 * problem nothing starts (unless `--start-valid`). Then the POs start with bounded concurrency;
 * the workflow id is the idempotency key, so running the same file again starts nothing twice.
 */
import { DEFAULT_PROVIDER } from '../../workflows/core/choices';
import path from 'node:path';
import type { FieldIssue } from '../../workflows/core/parsing';
import type { PoSettingsInput } from '../../workflows/core/settings';
import { capabilityRefusal } from '../../workflows/core/provider';
import { PROVIDER_WORKFLOWS } from '../../workflows/providers';
import { BadInput } from '../errors';
import { formatOf, planImport, type ImportedPo, type ImportPlan, type ImportProblem } from '../import-file';
import { inParallel, poBodyOf, tryStartPurchaseOrder, type StartOutcome } from '../purchase-orders';
import { progressBar } from '../progress';
import { print, readText, withSession, type Session } from '../session';

export interface ImportOptions {
  concurrency: number;
  startValid: boolean;
  settings: PoSettingsInput;
}

type Outcome = StartOutcome;

interface PoResult {
  name: string;
  source: string;
  outcome: Outcome;
  workflowId?: string;
  message?: string;
  issues?: FieldIssue[];
}

const OUTCOME_LABELS: Record<Outcome, string> = {
  started: 'started',
  already_started: 'already submitted',
  refused: 'refused',
  failed: 'failed',
};

/** The file is read and checked before anything connects: a bad file is reported even with Temporal down. */
export async function importFile(json: boolean, file: string, options: ImportOptions): Promise<void> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 256) {
    throw new BadInput('--concurrency: must be a whole number from 1 to 256');
  }
  const format = formatOf(file);
  if (!format) throw new BadInput(`${file}: expected a .csv or .json file`);
  // The CSV columns are Flexport's v3 body, line by line; not every provider's request has such an export.
  const csvRefused = capabilityRefusal(
    PROVIDER_WORKFLOWS[options.settings.provider ?? DEFAULT_PROVIDER].capabilities.csvImport,
  );
  if (format === 'csv' && csvRefused !== undefined) throw new BadInput(`${file}: ${csvRefused}`);
  const plan = planImport(format, await readText(file), poBodyOf(options.settings.provider));
  const label = path.basename(file);

  if (plan.problems.length > 0 && !options.startValid) {
    print({ json }, report(file, plan, []), () =>
      [
        ...plan.problems.map(describeProblem),
        `${label}: ${plan.invalid} of ${plan.total} purchase orders have problems` +
          (plan.invalid === 0 ? ' (the file itself has problems)' : '') +
          `; nothing was started.` +
          (plan.valid.length > 0
            ? ` Fix them, or pass --start-valid to start the ${plan.valid.length} valid ones.`
            : ''),
      ].join('\n'),
    );
    process.exitCode = 2;
    return;
  }

  const results = await withSession(json, (session) => startAll(session, plan.valid, options));
  const counts = countOutcomes(results);
  print({ json }, report(file, plan, results), () =>
    [
      ...plan.problems.map(describeProblem),
      ...results
        .filter((r) => r.outcome === 'refused' || r.outcome === 'failed')
        .map((r) => `${r.source} (${r.name}): ${OUTCOME_LABELS[r.outcome]}: ${r.message}`),
      `${label}: ${plan.total} purchase orders: ` +
        (Object.keys(OUTCOME_LABELS) as Outcome[])
          .map((o) => `${counts[o]} ${OUTCOME_LABELS[o]}`)
          .join(', ') +
        (plan.invalid > 0 ? `, ${plan.invalid} invalid (not started)` : ''),
    ].join('\n'),
  );
  if (counts.failed > 0) process.exitCode = 1;
  else if (counts.refused > 0 || plan.problems.length > 0) process.exitCode = 2;
}

function describeProblem(problem: ImportProblem): string {
  const where =
    problem.row !== undefined
      ? `row ${problem.row}`
      : problem.item !== undefined
        ? `item ${problem.item}`
        : 'file';
  return `${where}${problem.po ? ` (${problem.po})` : ''}: ${problem.field}: ${problem.message}`;
}

function countOutcomes(results: PoResult[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { started: 0, already_started: 0, refused: 0, failed: 0 };
  for (const result of results) counts[result.outcome] += 1;
  return counts;
}

function report(file: string, plan: ImportPlan<unknown>, results: PoResult[]) {
  return {
    file,
    format: plan.format,
    total: plan.total,
    invalid: plan.invalid,
    ...countOutcomes(results),
    problems: plan.problems,
    results,
  };
}

async function startAll(
  session: Session,
  pos: ImportedPo<unknown>[],
  options: ImportOptions,
): Promise<PoResult[]> {
  const bar = progressBar(
    session,
    'importing |{bar}| {value}/{total} POs  ' +
      'started {started}  already {already}  refused {refused}  failed {failed}',
  );
  const counts = { started: 0, already: 0, refused: 0, failed: 0 };
  bar?.start(pos.length, 0, counts);
  try {
    return await inParallel(
      pos,
      options.concurrency,
      async ({ name, source, po }): Promise<PoResult> => ({
        name,
        source,
        ...(await tryStartPurchaseOrder(session.client, po, options.settings)),
      }),
      (result) => {
        counts[result.outcome === 'already_started' ? 'already' : result.outcome] += 1;
        bar?.increment(1, counts);
      },
    );
  } finally {
    bar?.stop();
  }
}
