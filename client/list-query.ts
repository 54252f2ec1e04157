/**
 * `poflow list` filters as a Temporal visibility query over the PO search attributes, so the same
 * query works in the CLI, in the Web UI's search box and on any cluster.
 */
import { PROVIDERS } from '../workflows/core/choices';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { BadInput } from './errors';
import { STATUS_MEANINGS } from '../workflows/core/status';

export interface ListFilters {
  /** One PO's name, at whichever provider follows it (the ERP API's `name=`). */
  name?: string;
  status?: string[];
  late?: boolean;
  buyer?: string;
  seller?: string;
  provider?: string;
  shipment?: string;
  /** Calendar days, YYYY-MM-DD, both ends inclusive. */
  cargoReadyFrom?: string;
  cargoReadyTo?: string;
  mustArriveFrom?: string;
  mustArriveTo?: string;
}

/** Only PO workflows carry a PO name. */
const ALL_POS = `${SearchAttributes.PoName.name} IS NOT NULL`;

export function listQuery(filters: ListFilters): string {
  const clauses = [ALL_POS];
  if (filters.status?.length) {
    for (const status of filters.status) {
      if (!(status in STATUS_MEANINGS)) {
        throw new BadInput(
          `--status: ${JSON.stringify(status)} is not a status; ` +
            `expected one of ${Object.keys(STATUS_MEANINGS).join(', ')}`,
        );
      }
    }
    clauses.push(
      `${SearchAttributes.PoStatus.name} IN (${filters.status.map((s) => quote('--status', s)).join(', ')})`,
    );
  }
  if (filters.late !== undefined) clauses.push(`${SearchAttributes.PoLate.name} = ${filters.late}`);
  if (filters.provider !== undefined && !(PROVIDERS as readonly string[]).includes(filters.provider)) {
    throw new BadInput(
      `--provider: ${JSON.stringify(filters.provider)} is not a provider; ` +
        `expected one of ${PROVIDERS.join(', ')}`,
    );
  }
  const keywords: Array<[string, string | undefined, string]> = [
    ['name', filters.name, `${SearchAttributes.PoName.name} =`],
    ['--buyer', filters.buyer, `${SearchAttributes.PoBuyerRef.name} =`],
    ['--seller', filters.seller, `${SearchAttributes.PoSellerRef.name} =`],
    ['--provider', filters.provider, `${SearchAttributes.PoProvider.name} =`],
    ['--shipment', filters.shipment, `${SearchAttributes.PoShipmentIds.name} =`],
  ];
  for (const [option, value, compare] of keywords) {
    if (value !== undefined) clauses.push(`${compare} ${quote(option, value)}`);
  }
  const dates: Array<[string, string | undefined, string, 'from' | 'to']> = [
    ['--cargo-ready-from', filters.cargoReadyFrom, SearchAttributes.PoCargoReadyDate.name, 'from'],
    ['--cargo-ready-to', filters.cargoReadyTo, SearchAttributes.PoCargoReadyDate.name, 'to'],
    ['--must-arrive-from', filters.mustArriveFrom, SearchAttributes.PoMustArriveDate.name, 'from'],
    ['--must-arrive-to', filters.mustArriveTo, SearchAttributes.PoMustArriveDate.name, 'to'],
  ];
  for (const [option, day, attribute, end] of dates) {
    if (day === undefined) continue;
    // The workflow stores a date as its midnight UTC: "to D" is everything before D + 1.
    clauses.push(
      end === 'from'
        ? `${attribute} >= "${midnight(option, day, 0)}"`
        : `${attribute} < "${midnight(option, day, 1)}"`,
    );
  }
  return clauses.join(' AND ');
}

/** A string literal of the visibility query language. */
function quote(option: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\u0000-\u001f]/.test(value)) {
    throw new BadInput(`${option}: must be non-empty text without control characters`);
  }
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function midnight(option: string, day: string, plusDays: number): string {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : NaN;
  if (Number.isNaN(time))
    throw new BadInput(`${option}: ${JSON.stringify(day)} is not a calendar date YYYY-MM-DD`);
  return new Date(time + plusDays * 24 * 60 * 60 * 1000).toISOString().replace('.000Z', 'Z');
}
