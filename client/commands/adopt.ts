/**
 * `poflow adopt <name>` and `poflow adopt --all`: POs poflow did not create, read at Flexport and
 * started in the state it shows. The workflow id is the idempotency key, so a re-run (or a run
 * after an interruption) adopts only what is left: a PO already followed costs one describe.
 */
import { FlexportClient } from '../../activities/flexport/client';
import { readResource } from '../../activities/flexport/adoption-read';
import { PO_STATUSES } from '../../workflows/flexport/purchase-order';
import { type PoSettings, type PoSettingsInput } from '../../workflows/core/settings';
import {
  adoptByName,
  adoptionSettings,
  adoptRead,
  followedAlready,
  type AdoptionOutcome,
  type AdoptionResult,
} from '../adoption';
import { BadInput, causeChain } from '../errors';
import { adoptFlxpointByNumber, flxpointReader } from '../flxpoint-adoption';
import { workflowUiUrl } from '../format';
import { progressBar } from '../progress';
import { print, withSession, type Session } from '../session';
import { loadConfig, requireProviderSettings } from '../../worker/config';

export interface AdoptOptions {
  all?: boolean;
  status?: string;
  updatedSince?: string;
  concurrency: number;
  settings: PoSettingsInput;
}

type AllOutcome = AdoptionOutcome | 'failed';

const OUTCOME_LABELS: Record<AllOutcome, string> = {
  adopted: 'adopted',
  already_followed: 'already followed',
  refused: 'refused',
  failed: 'failed',
};

/**
 * Why `adopt --all --provider flxpoint` is refused: Flxpoint's reference (the Create Purchase Order
 * page poflow is built from) documents no listing of POs. docs/flxpoint.md, "Adoption".
 */
export const FLXPOINT_LISTING_REFUSED =
  "--all: not for flxpoint: Flxpoint's API reference (Create Purchase Order) documents no paged listing of purchase orders by status or update time to walk; adopt each PO by its number (poflow adopt <number> --provider flxpoint)";

export async function adopt(json: boolean, name: string | undefined, options: AdoptOptions): Promise<void> {
  const settings = adoptionSettings(options.settings);
  if (options.all && name) throw new BadInput('<name>: give a PO name or --all, not both');
  if (options.all && settings.provider === 'flxpoint') throw new BadInput(FLXPOINT_LISTING_REFUSED);
  if (!options.all) {
    if (!name) throw new BadInput('<name>: the PO to adopt (or --all for every open PO at the provider)');
    if (options.status || options.updatedSince)
      throw new BadInput('--status, --updated-since: only with --all');
    requireProviderToken(settings);
    return withSession(json, (session) => adoptOne(session, name, settings));
  }
  const filters = allFilters(options);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 256) {
    throw new BadInput('--concurrency: must be a whole number from 1 to 256');
  }
  requireProviderToken(settings);
  return withSession(json, (session) => adoptAll(session, filters, options.concurrency, settings));
}

/** The provider is read at its configured address: its own token, checked before connecting anywhere. */
function requireProviderToken(settings: PoSettings): void {
  requireProviderSettings(loadConfig(), { [settings.provider]: true });
}

async function adoptOne(session: Session, name: string, settings: PoSettings): Promise<void> {
  const result =
    settings.provider === 'flxpoint'
      ? await adoptFlxpointByNumber(session.client, flxpointReader(session.config), name, settings)
      : await adoptByName(session.client, flexportOf(session), name, settings);
  const uiUrl = workflowUiUrl(session.config, result.workflowId);
  const providerOption = settings.provider === 'flxpoint' ? ' --provider flxpoint' : '';
  print(session, { ...result, uiUrl }, () =>
    [
      result.outcome === 'adopted'
        ? `PO ${name} adopted from ${settings.provider} as ${result.status}` +
          (result.providerStatus ? ` (${settings.provider} status ${result.providerStatus})` : '')
        : result.outcome === 'already_followed'
          ? `PO ${name} is already followed by poflow: nothing new started`
          : `PO ${name} not adopted: ${result.reason}`,
      ...(result.outcome === 'refused'
        ? []
        : [
            `  workflow  ${result.workflowId}`,
            `  web ui    ${uiUrl}`,
            `  status    poflow status ${name}${providerOption}`,
          ]),
    ].join('\n'),
  );
  if (result.outcome === 'refused') process.exitCode = 2;
}

interface Filters {
  status: string;
  updatedAfter?: string;
}

function allFilters(options: AdoptOptions): Filters {
  const status = options.status ?? 'open';
  if (!(PO_STATUSES as readonly string[]).includes(status)) {
    throw new BadInput(
      `--status: ${JSON.stringify(status)} is not a PO status at the provider; expected one of ${PO_STATUSES.join(', ')}`,
    );
  }
  if (options.updatedSince === undefined) return { status };
  const at = Date.parse(options.updatedSince);
  if (!/^\d{4}-\d{2}-\d{2}/.test(options.updatedSince) || Number.isNaN(at)) {
    throw new BadInput(
      `--updated-since: ${JSON.stringify(options.updatedSince)} is not a date; expected YYYY-MM-DD or an ISO time such as 2026-11-30T08:00:00Z`,
    );
  }
  return { status, updatedAfter: new Date(at).toISOString() };
}

/**
 * Walks the provider's pages, `concurrency` POs at a time. A failure of one PO (the provider or
 * Temporal unreachable for it) is counted and reported, and the walk goes on; a re-run retries it.
 */
async function adoptAll(session: Session, filters: Filters, concurrency: number, settings: PoSettings) {
  const flexport = flexportOf(session);
  const started = Date.now();
  const bar = progressBar(
    session,
    'adopting |{bar}| {value}/{total} POs  adopted {adopted}  already {already}  refused {refused}  failed {failed}',
  );
  const counts = { adopted: 0, already: 0, refused: 0, failed: 0 };
  const results: (AdoptionResult | { name: string; outcome: 'failed'; reason: string })[] = [];
  const inFlight = new Set<Promise<void>>();
  bar?.start(0, 0, counts);
  const adoptOne = async (resource: Record<string, unknown>) => {
    const name = String(resource.name);
    const result = await adoptListed(session, flexport, resource, settings).catch((err: unknown) => ({
      name,
      outcome: 'failed' as const,
      reason: causeChain(err).join(': '),
    }));
    results.push(result);
    counts[result.outcome === 'already_followed' ? 'already' : result.outcome] += 1;
    bar?.increment(1, counts);
  };
  try {
    const listing = flexport.listPurchaseOrders(
      { status: filters.status, updatedAfter: filters.updatedAfter },
      (total) => bar?.setTotal(total),
    );
    for await (const resource of listing) {
      const task = adoptOne(resource).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    bar?.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const total = results.length;
  const summary = {
    status: filters.status,
    updatedAfter: filters.updatedAfter,
    total,
    adopted: counts.adopted,
    already_followed: counts.already,
    refused: counts.refused,
    failed: counts.failed,
    seconds,
    posPerSecond: total / Math.max(seconds, 0.001),
    results,
  };
  print(session, summary, () =>
    [
      ...results
        .filter((r) => r.outcome === 'refused' || r.outcome === 'failed')
        .map((r) => `${r.name}: ${OUTCOME_LABELS[r.outcome]}: ${r.reason}`),
      `${total} ${filters.status} purchase orders at ${settings.provider}` +
        (filters.updatedAfter ? ` updated since ${filters.updatedAfter}` : '') +
        ': ' +
        `${counts.adopted} adopted, ${counts.already} already followed, ${counts.refused} refused, ${counts.failed} failed` +
        ` in ${seconds.toFixed(1)} s (${summary.posPerSecond.toFixed(1)} POs/s)`,
    ].join('\n'),
  );
  if (counts.failed > 0) process.exitCode = 1;
}

/** A listed PO: nothing more is read when poflow already follows it. */
async function adoptListed(
  session: Session,
  flexport: FlexportClient,
  resource: Record<string, unknown>,
  settings: PoSettings,
): Promise<AdoptionResult> {
  const name = String(resource.name);
  return (
    (await followedAlready(session.client, name, settings)) ??
    adoptRead(session.client, await readResource(flexport, resource, 'poflow adopt --all'), name, settings)
  );
}

function flexportOf(session: Session): FlexportClient {
  return new FlexportClient(session.config.flexport);
}
