/**
 * Starting a PO's workflow: the one entry the CLI, the importer and the webhook receiver share.
 * A bad PO is refused here, field by field, before anything starts. The provider setting picks
 * the schema and the workflow: Flexport's v3 body, or Flxpoint's create request.
 */
import type { Client } from '@temporalio/client';
import { startWith } from '../providers';
import type { StartedPurchaseOrder } from '../providers/start-once';
import { BadInput, causeChain } from './errors';
import { DEFAULT_PROVIDER, type Provider } from '../workflows/core/choices';
import { parseWith, type FieldIssue, type Parsed } from '../workflows/core/parsing';
import { capabilityRefusal } from '../workflows/core/provider';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { PROVIDER_WORKFLOWS, type ProviderWorkflows } from '../workflows/providers';

/**
 * What one PO may weigh, checked at the boundary before anything starts: the name is part of the
 * workflow id (Temporal allows 1,000 characters) and a search attribute; the PO travels in the
 * workflow's input, its state and every continue-as-new, where Temporal warns above 512 KB and
 * refuses 2 MB.
 */
export const PO_LIMITS = { nameCharacters: 255, lines: 1000, jsonBytes: 256 * 1024 } as const;

/**
 * A provider's PO create body: the fields that name the PO and list its lines, and the checks made
 * before it starts.
 */
export interface PoBody<T> {
  /** Flexport's `name`, Flxpoint's `purchaseOrderNumber`: the PO's name and its workflow id. */
  nameField: string;
  linesField: string;
  validate(body: unknown): Parsed<T>;
}

/** Issues of a PO over `PO_LIMITS`; checked first, so an oversized document is not parsed further. */
export function sizeIssues(
  body: Pick<PoBody<unknown>, 'nameField' | 'linesField'>,
  raw: unknown,
): FieldIssue[] {
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '');
  if (bytes > PO_LIMITS.jsonBytes) {
    const size = (n: number) => `${Math.ceil(n / 1024)} KB`;
    return [
      {
        path: '',
        message:
          `the purchase order is ${size(bytes)} of JSON; at most ${size(PO_LIMITS.jsonBytes)} ` +
          '(split it into several POs)',
      },
    ];
  }
  if (typeof raw !== 'object' || raw === null) return [];
  const fields = raw as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const name = fields[body.nameField];
  if (typeof name === 'string' && name.length > PO_LIMITS.nameCharacters) {
    issues.push({
      path: body.nameField,
      message: `is ${name.length} characters long; at most ${PO_LIMITS.nameCharacters}`,
    });
  }
  const lines = fields[body.linesField];
  if (Array.isArray(lines) && lines.length > PO_LIMITS.lines) {
    issues.push({
      path: body.linesField,
      message:
        `has ${lines.length} lines; at most ${PO_LIMITS.lines} per purchase order ` +
        '(split it into several POs)',
    });
  }
  return issues;
}

function withinLimits<T>(
  body: Pick<PoBody<T>, 'nameField' | 'linesField'>,
  parse: (raw: unknown) => Parsed<T>,
) {
  return (raw: unknown): Parsed<T> => {
    const issues = sizeIssues(body, raw);
    return issues.length ? { ok: false, issues } : parse(raw);
  };
}

/** The PO body a provider takes. */
export type PoOf<P extends Provider> = Parameters<ProviderWorkflows[P]['body']['nameOf']>[0];

/**
 * The body of a PO at this provider (Flexport when none is given), checked against `PO_LIMITS`
 * first. A PO made today may not have to arrive before today.
 */
export function poBodyOf<P extends Provider = 'flexport'>(
  provider: P = DEFAULT_PROVIDER as P,
): PoBody<PoOf<P>> {
  const body = PROVIDER_WORKFLOWS[provider].body;
  const today = () => new Date().toISOString().slice(0, 10);
  return {
    nameField: body.nameField,
    linesField: body.linesField,
    validate: withinLimits(body, (raw) => body.parse(raw, today()) as Parsed<PoOf<P>>),
  };
}

/** A PO the shared schemas refuse at start: bad input, like any other. */
export class PurchaseOrderRejected extends BadInput {
  constructor(issues: FieldIssue[]) {
    super(
      'purchase order refused: ' +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
      issues,
    );
    this.name = 'PurchaseOrderRejected';
  }
}

/**
 * Settings issues the schema cannot see: a setting for a capability the PO's provider lacks (a
 * poll schedule for a provider that pushes its changes).
 */
export function capabilityIssues(settings: PoSettings): FieldIssue[] {
  const polling = capabilityRefusal(PROVIDER_WORKFLOWS[settings.provider].capabilities.polling);
  if (settings.poll === undefined || polling === undefined) return [];
  return [{ path: 'poll', message: `applies only where POs are read on a schedule (${polling})` }];
}

/** A PO and its settings as their schemas passed them, or the issues of each (paths of its own). */
export type CheckedPurchaseOrder =
  { ok: true; po: unknown; settings: PoSettings } | { ok: false; po: FieldIssue[]; settings: FieldIssue[] };

/**
 * The checks made before a PO starts: its body against `PO_LIMITS` and its provider's schema (the
 * provider its settings name), its settings against theirs and the provider's capabilities.
 */
export function checkPurchaseOrder(po: unknown, settings: PoSettingsInput = {}): CheckedPurchaseOrder {
  const parsedSettings = parseWith(PoSettings, settings);
  const settingsIssues = parsedSettings.ok ? capabilityIssues(parsedSettings.value) : parsedSettings.issues;
  const parsed = poBodyOf(settings.provider ?? DEFAULT_PROVIDER).validate(po);
  if (!parsed.ok || !parsedSettings.ok || settingsIssues.length > 0) {
    return { ok: false, po: parsed.ok ? [] : parsed.issues, settings: settingsIssues };
  }
  return { ok: true, po: parsed.value, settings: parsedSettings.value };
}

/** Starts the PO's workflow at the provider its settings name, once the PO and settings pass their checks. */
export async function startPurchaseOrder(
  client: Client,
  po: unknown,
  settings: PoSettingsInput = {},
): Promise<StartedPurchaseOrder> {
  const checked = checkPurchaseOrder(po, settings);
  if (!checked.ok) {
    throw new PurchaseOrderRejected([
      ...checked.po,
      ...checked.settings.map((i) => ({ ...i, path: `settings.${i.path}` })),
    ]);
  }
  return startWith(client, checked.po, checked.settings);
}

export type StartOutcome = 'started' | 'already_started' | 'refused' | 'failed';

/** What became of one PO of many: a refusal or a failure is its result, so the others go on. */
export interface StartAttempt {
  outcome: StartOutcome;
  workflowId?: string;
  /** Why it was refused or failed. */
  message?: string;
  issues?: FieldIssue[];
}

/** Starts one PO of many (`poflow import`, the ERP API's batch). */
export async function tryStartPurchaseOrder(
  client: Client,
  po: unknown,
  settings: PoSettingsInput,
): Promise<StartAttempt> {
  try {
    const started = await startPurchaseOrder(client, po, settings);
    return {
      outcome: started.alreadyStarted ? 'already_started' : 'started',
      workflowId: started.workflowId,
    };
  } catch (err) {
    if (err instanceof PurchaseOrderRejected) {
      return { outcome: 'refused', message: err.message, issues: err.issues };
    }
    return { outcome: 'failed', message: causeChain(err).join(': ') };
  }
}

/** `run` over `items`, at most `concurrency` at once; the results in the items' order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  run: (item: T, index: number) => Promise<R>,
  onResult: (result: R) => void = () => {},
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!, index);
      onResult(results[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, runner));
  return results;
}
