/**
 * `poflow adopt <name>` and `poflow adopt --all`: POs poflow did not create, read at Flexport and
 * started in the state it shows. The workflow id is the idempotency key, so a re-run (or a run
 * after an interruption) adopts only what is left: a PO already followed costs one describe.
 */
import { DEFAULT_PROVIDER } from '../../workflows/core/choices';
import { adoptionSettingsOf, hostOf } from '../../providers';
import type { AdoptAllFilters, AdoptAllWalk } from '../../providers/provider';
import type { AdoptionOutcome, AdoptionResult } from '../../providers/start-once';
import { type PoSettings, type PoSettingsInput } from '../../workflows/core/settings';
import { BadInput, causeChain } from '../errors';
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

/** The settings of adopted POs: the provider's adoption defaults under what the operator gave. */
export function adoptionSettings(settings: PoSettingsInput = {}): PoSettings {
  const parsed = adoptionSettingsOf(settings);
  if (!parsed.ok) throw new BadInput(parsed.issues.map((i) => `settings.${i.path}: ${i.message}`).join('; '));
  return parsed.value;
}

export async function adopt(json: boolean, name: string | undefined, options: AdoptOptions): Promise<void> {
  const settings = adoptionSettings(options.settings);
  if (options.all && name) throw new BadInput('<name>: give a PO name or --all, not both');
  const walk = options.all
    ? hostOf(settings.provider).adoption.all(loadConfig()[settings.provider])
    : undefined;
  if (walk && 'refused' in walk) throw new BadInput(`--all: not for ${settings.provider}: ${walk.refused}`);
  if (!options.all) {
    if (!name) throw new BadInput('<name>: the PO to adopt (or --all for every open PO at the provider)');
    if (options.status || options.updatedSince)
      throw new BadInput('--status, --updated-since: only with --all');
    requireProviderToken(settings);
    return withSession(json, (session) => adoptOne(session, name, settings));
  }
  const filters = allFilters(options, walk!);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 256) {
    throw new BadInput('--concurrency: must be a whole number from 1 to 256');
  }
  requireProviderToken(settings);
  return withSession(json, (session) => adoptAll(session, walk!, filters, options.concurrency, settings));
}

/** The provider is read at its configured address: its own token, checked before connecting anywhere. */
function requireProviderToken(settings: PoSettings): void {
  requireProviderSettings(loadConfig(), { [settings.provider]: true });
}

async function adoptOne(session: Session, name: string, settings: PoSettings): Promise<void> {
  const connection = session.config[settings.provider];
  const result = await hostOf(settings.provider).adoption.adoptByName(
    session.client,
    connection,
    name,
    settings,
  );
  const uiUrl = workflowUiUrl(session.config, result.workflowId);
  const providerOption = settings.provider === DEFAULT_PROVIDER ? '' : ` --provider ${settings.provider}`;
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

function allFilters(options: AdoptOptions, walk: AdoptAllWalk): AdoptAllFilters {
  const status = options.status ?? 'open';
  if (!walk.statuses.includes(status)) {
    throw new BadInput(
      `--status: ${JSON.stringify(status)} is not a PO status at the provider; ` +
        `expected one of ${walk.statuses.join(', ')}`,
    );
  }
  if (options.updatedSince === undefined) return { status };
  const at = Date.parse(options.updatedSince);
  if (!/^\d{4}-\d{2}-\d{2}/.test(options.updatedSince) || Number.isNaN(at)) {
    throw new BadInput(
      `--updated-since: ${JSON.stringify(options.updatedSince)} is not a date; ` +
        'expected YYYY-MM-DD or an ISO time such as 2026-11-30T08:00:00Z',
    );
  }
  return { status, updatedAfter: new Date(at).toISOString() };
}

/**
 * Walks the provider's pages, `concurrency` POs at a time. A failure of one PO (the provider or
 * Temporal unreachable for it) is counted and reported, and the walk goes on; a re-run retries it.
 */
async function adoptAll(
  session: Session,
  walk: AdoptAllWalk,
  filters: AdoptAllFilters,
  concurrency: number,
  settings: PoSettings,
) {
  const started = Date.now();
  const bar = progressBar(
    session,
    'adopting |{bar}| {value}/{total} POs  ' +
      'adopted {adopted}  already {already}  refused {refused}  failed {failed}',
  );
  const counts = { adopted: 0, already: 0, refused: 0, failed: 0 };
  const results: (AdoptionResult | { name: string; outcome: 'failed'; reason: string })[] = [];
  const inFlight = new Set<Promise<void>>();
  bar?.start(0, 0, counts);
  const adoptOne = async (listed: { name: string; resource: Record<string, unknown> }) => {
    const result = await walk.adopt(session.client, listed, settings).catch((err: unknown) => ({
      name: listed.name,
      outcome: 'failed' as const,
      reason: causeChain(err).join(': '),
    }));
    results.push(result);
    counts[result.outcome === 'already_followed' ? 'already' : result.outcome] += 1;
    bar?.increment(1, counts);
  };
  try {
    const listing = walk.list(filters, (total) => bar?.setTotal(total));
    for await (const listed of listing) {
      const task = adoptOne(listed).finally(() => inFlight.delete(task));
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
        `${counts.adopted} adopted, ${counts.already} already followed, ` +
        `${counts.refused} refused, ${counts.failed} failed` +
        ` in ${seconds.toFixed(1)} s (${summary.posPerSecond.toFixed(1)} POs/s)`,
    ].join('\n'),
  );
  if (counts.failed > 0) process.exitCode = 1;
}
