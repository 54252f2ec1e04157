/**
 * Reading an ERP export for `poflow import`: a CSV with one row per line item (grouped into POs by
 * `po_name`; Flexport's v3 body only) or a JSON array of PO create bodies of the provider. Every
 * PO is validated before anything starts, and every problem is reported where the user can fix
 * it: the CSV row and column, or the JSON item and field.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { FieldIssue } from '../workflows/core/parsing';
import type { PoBody } from './purchase-orders';

export type ImportFormat = 'csv' | 'json';

/** One problem in the file. CSV rows are numbered as a spreadsheet shows them: the header is row 1. */
export interface ImportProblem {
  row?: number;
  /** JSON: the PO's position in the array, from 1. */
  item?: number;
  po?: string;
  field: string;
  message: string;
}

export interface ImportedPo<T> {
  name: string;
  /** Where it came from: `rows 2-4`, `item 3`. */
  source: string;
  po: T;
}

export interface ImportPlan<T> {
  format: ImportFormat;
  /** POs found in the file, valid or not. */
  total: number;
  valid: ImportedPo<T>[];
  /** How many POs have at least one problem. */
  invalid: number;
  problems: ImportProblem[];
}

/** A PO body built from the file, before validation, with the way back from a body path to the file. */
interface Candidate {
  name: string;
  source: string;
  body: unknown;
  locate(issue: FieldIssue): ImportProblem;
  problems: ImportProblem[];
}

export function formatOf(file: string): ImportFormat | undefined {
  const extension = file.toLowerCase().split('.').pop();
  return extension === 'csv' || extension === 'json' ? extension : undefined;
}

/** `body` is what every PO is checked against; a CSV always holds Flexport's body. */
export function planImport<T>(format: ImportFormat, text: string, body: PoBody<T>): ImportPlan<T> {
  const { candidates, problems } =
    format === 'csv' ? csvCandidates(text) : jsonCandidates(text, body.nameField);
  const valid: ImportedPo<T>[] = [];
  let invalid = 0;
  for (const candidate of candidates) {
    const parsed = body.validate(candidate.body);
    // Each problem once per cell: what the file itself got wrong is not said again by the schema,
    // and a PO column inherited by several lines is one problem.
    const said = new Set<string>();
    const found = [...candidate.problems, ...(parsed.ok ? [] : parsed.issues.map(candidate.locate))].filter(
      (p) => {
        const key = `${p.row ?? p.item}:${p.field}`;
        const first = !said.has(key);
        said.add(key);
        return first;
      },
    );
    if (found.length > 0 || !parsed.ok) {
      invalid += 1;
      problems.push(...found);
    } else {
      valid.push({ name: candidate.name, source: candidate.source, po: parsed.value });
    }
  }
  problems.sort((a, b) => (a.row ?? a.item ?? 0) - (b.row ?? b.item ?? 0));
  return { format, total: candidates.length, valid, invalid, problems };
}

// ---- JSON: an array of PO create bodies ----

function jsonCandidates(
  text: string,
  nameField: string,
): { candidates: Candidate[]; problems: ImportProblem[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    return {
      candidates: [],
      problems: [{ field: '(file)', message: `not valid JSON: ${(err as Error).message}` }],
    };
  }
  if (!Array.isArray(document)) {
    return {
      candidates: [],
      problems: [{ field: '(file)', message: 'expected a JSON array of purchase orders' }],
    };
  }
  const firstItemByName = new Map<string, number>();
  const candidates = document.map((body: unknown, index): Candidate => {
    const item = index + 1;
    const rawName = (body as Record<string, unknown> | null)?.[nameField];
    const name = typeof rawName === 'string' ? rawName.trim() : '';
    const problems: ImportProblem[] = [];
    const first = firstItemByName.get(name);
    if (name && first !== undefined) {
      problems.push({
        item,
        po: name,
        field: nameField,
        message: `PO ${name} appears twice (first as item ${first})`,
      });
    } else if (name) firstItemByName.set(name, item);
    return {
      name,
      source: `item ${item}`,
      body,
      problems,
      locate: (issue) => ({
        item,
        po: name || undefined,
        field: issue.path || '(purchase order)',
        message: issue.message,
      }),
    };
  });
  return { candidates, problems: [] };
}

// ---- CSV: one row per line item ----

type Level = 'po' | 'line';

interface CsvColumn {
  name: string;
  level: Level;
  /** Where the value goes in the PO body (`po`) or in its line item (`line`); see `buildPo`. */
  target: string;
  description: string;
}

/**
 * The CSV columns. Header names are matched case-insensitively with spaces read as underscores
 * ("PO Name" is `po_name`). PO columns must agree on every row of a PO (empty cells on later rows
 * are fine); line columns belong to their row. An unknown column is an error, so a typo never
 * silently drops data.
 */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  {
    name: 'po_name',
    level: 'po',
    target: 'name',
    description: 'PO number; rows with the same po_name form one PO (required)',
  },
  { name: 'buyer_ref', level: 'po', target: 'parties:buyer', description: "buyer's legal entity reference" },
  {
    name: 'seller_ref',
    level: 'po',
    target: 'parties:seller',
    description: "seller's legal entity reference (required)",
  },
  {
    name: 'currency',
    level: 'po',
    target: 'currency_code',
    description: 'ISO 4217 code of the PO and its unit costs, e.g. USD',
  },
  {
    name: 'incoterm',
    level: 'po',
    target: 'incoterm',
    description: 'EXW, FCA, CPT, CIP, DAT, DPU, DAP, DDP, FAS, FOB, CFR or CIF (required)',
  },
  {
    name: 'transportation_mode',
    level: 'po',
    target: 'transportation_mode',
    description: 'ocean, air, truck or rail (required)',
  },
  { name: 'origin_port', level: 'po', target: 'origin_port.code', description: 'port code, e.g. CNSHA' },
  {
    name: 'origin_port_type',
    level: 'po',
    target: 'origin_port.code_type',
    description: 'unlocode (default), iata, icao or us_cbp',
  },
  {
    name: 'destination_port',
    level: 'po',
    target: 'destination_port.code',
    description: 'port code, e.g. USLAX',
  },
  {
    name: 'destination_port_type',
    level: 'po',
    target: 'destination_port.code_type',
    description: 'unlocode (default), iata, icao or us_cbp',
  },
  {
    name: 'cargo_ready_date',
    level: 'po',
    target: 'cargo_ready_date',
    description: 'YYYY-MM-DD, before must_arrive_date',
  },
  { name: 'must_arrive_date', level: 'po', target: 'must_arrive_date', description: 'YYYY-MM-DD' },
  { name: 'issue_date', level: 'po', target: 'issue_date', description: 'YYYY-MM-DD' },
  { name: 'priority', level: 'po', target: 'priority', description: 'standard (default) or high' },
  {
    name: 'freight_payment_terms',
    level: 'po',
    target: 'freight_payment_terms',
    description: 'freight_collect or freight_prepaid',
  },
  {
    name: 'origin_location_ref',
    level: 'po',
    target: 'origin_location_ref',
    description: 'network location reference of the origin',
  },
  {
    name: 'destination_location_ref',
    level: 'po',
    target: 'destination_location_refs[0]',
    description: 'network location reference of the destination',
  },
  { name: 'memo', level: 'po', target: 'memo', description: 'free text' },
  {
    name: 'item_key',
    level: 'line',
    target: 'item_key',
    description: 'line item key, unique within the PO (required)',
  },
  { name: 'sku', level: 'line', target: 'product.sku', description: 'product SKU (required)' },
  {
    name: 'product_name',
    level: 'line',
    target: 'product.name',
    description: 'product name (needed for a SKU new to the product library)',
  },
  { name: 'units', level: 'line', target: 'units', description: 'whole number of units (required)' },
  {
    name: 'unit_of_measure',
    level: 'line',
    target: 'unit_of_measure',
    description: 'EA (default), CTN, KG, ...',
  },
  {
    name: 'unit_cost',
    level: 'line',
    target: 'unit_cost.amount',
    description: 'decimal amount per unit in the PO currency, e.g. 4.65',
  },
  { name: 'hs_code', level: 'line', target: 'hs_codes[0].code', description: 'HS code, e.g. 6109.10.00.07' },
  {
    name: 'hs_country',
    level: 'line',
    target: 'hs_codes[0].country_code',
    description: 'ISO 3166 country of the HS code, e.g. US (required with hs_code)',
  },
  {
    name: 'line_type',
    level: 'line',
    target: 'line_type',
    description: 'main_line (default), sub_line or component_line',
  },
  {
    name: 'parent_line_key',
    level: 'line',
    target: 'parent_line_key',
    description: 'item_key of the main line of a sub or component line',
  },
];

const COLUMN_BY_NAME = new Map(CSV_COLUMNS.map((column) => [column.name, column]));

/** Body paths the file has no column of its own for, and the column that feeds them. */
const DERIVED_TARGETS: Record<string, string> = {
  'unit_cost.currency_code': 'currency',
  parties: 'seller_ref',
};

function headerName(cell: string): string {
  return cell.trim().toLowerCase().replace(/\s+/g, '_');
}

interface CsvRow {
  row: number;
  values: Map<string, string>;
}

interface PoRows {
  name: string;
  rows: CsvRow[];
}

function csvCandidates(text: string): { candidates: Candidate[]; problems: ImportProblem[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes as { record, info }; the library's types do not follow the option.
    records = parseCsv(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (err) {
    const lines = (err as { lines?: number }).lines;
    return {
      candidates: [],
      problems: [{ row: lines, field: '(file)', message: `not valid CSV: ${(err as Error).message}` }],
    };
  }
  const [header, ...body] = records;
  if (!header) return { candidates: [], problems: [{ field: '(file)', message: 'the file is empty' }] };

  const problems: ImportProblem[] = [];
  const columns = header.record.map(headerName);
  columns.forEach((column, index) => {
    if (!COLUMN_BY_NAME.has(column)) {
      problems.push({
        row: header.info.lines,
        field: header.record[index] || `column ${index + 1}`,
        message: 'is not a known column',
      });
    } else if (columns.indexOf(column) !== index) {
      problems.push({ row: header.info.lines, field: column, message: 'appears twice in the header' });
    }
  });
  if (!columns.includes('po_name'))
    problems.push({ row: header.info.lines, field: 'po_name', message: 'is a required column' });
  if (problems.length > 0) return { candidates: [], problems };

  const byName = new Map<string, PoRows>();
  for (const { record, info } of body) {
    const row = info.lines;
    if (record.length !== columns.length) {
      problems.push({
        row,
        field: '(row)',
        message: `has ${record.length} values; the header has ${columns.length} columns`,
      });
      continue;
    }
    const values = new Map<string, string>();
    columns.forEach((column, i) => {
      if (record[i]) values.set(column, record[i]);
    });
    const name = values.get('po_name');
    if (!name) {
      problems.push({ row, field: 'po_name', message: 'is required' });
      continue;
    }
    const rows = byName.get(name) ?? { name, rows: [] };
    rows.rows.push({ row, values });
    byName.set(name, rows);
  }
  return { candidates: [...byName.values()].map(buildPo), problems };
}

/** The PO create body of one PO's rows, and the way back from its body paths to rows and columns. */
function buildPo({ name, rows }: PoRows): Candidate {
  const problems: ImportProblem[] = [];
  const firstRow = rows[0]!.row;
  // PO columns: the first row that fills one in sets it; a later, different value is a conflict.
  const poValues = new Map<string, { value: string; row: number }>();
  for (const { row, values } of rows) {
    for (const [column, value] of values) {
      if (COLUMN_BY_NAME.get(column)!.level !== 'po') continue;
      const first = poValues.get(column);
      if (!first) poValues.set(column, { value, row });
      else if (first.value !== value) {
        problems.push({
          row,
          po: name,
          field: column,
          message:
            `is ${JSON.stringify(value)} here but ${JSON.stringify(first.value)} on row ${first.row}; ` +
            'every row of a PO must agree',
        });
      }
    }
  }

  const po: Record<string, unknown> = {};
  const parties: { role: string; external_ref: string }[] = [];
  const partyColumns: string[] = [];
  for (const [column, { value }] of poValues) {
    const target = COLUMN_BY_NAME.get(column)!.target;
    if (target.startsWith('parties:')) {
      parties.push({ role: target.slice('parties:'.length), external_ref: value });
      partyColumns.push(column);
    } else setPath(po, target, value);
  }
  po.parties = parties;
  for (const port of ['origin_port', 'destination_port'] as const) {
    const value = po[port] as { code?: string; code_type?: string } | undefined;
    if (value && !value.code_type) value.code_type = 'unlocode';
  }
  po.line_items = rows.map(({ row, values }) => {
    if (values.has('hs_code') && !values.has('hs_country')) {
      problems.push({ row, po: name, field: 'hs_country', message: 'is required with hs_code' });
    }
    const line: Record<string, unknown> = {};
    for (const [column, value] of values) {
      const spec = COLUMN_BY_NAME.get(column)!;
      if (spec.level === 'line') setPath(line, spec.target, value);
    }
    const unitCost = line.unit_cost as Record<string, unknown> | undefined;
    if (unitCost && po.currency_code) unitCost.currency_code = po.currency_code;
    return line;
  });

  const rowOfPoColumn = (column: string) => poValues.get(column)?.row ?? firstRow;
  return {
    name,
    source: rows.length === 1 ? `row ${firstRow}` : `rows ${rows.map((r) => r.row).join(', ')}`,
    body: po,
    problems,
    locate: (issue) => {
      const line = /^line_items\[(\d+)\]\.?(.*)$/.exec(issue.path);
      const rest = line ? line[2]! : issue.path;
      const party = /^parties\[(\d+)\]/.exec(rest);
      const lineColumn = line ? columnFor(rest, 'line') : undefined;
      if (line && lineColumn)
        return { row: rows[Number(line[1])]!.row, po: name, field: lineColumn, message: issue.message };
      // A PO column, also when a line inherits it (its dates, its currency): the row that set it.
      const column = (party && partyColumns[Number(party[1])]) || columnFor(rest, 'po');
      const row = column ? rowOfPoColumn(column) : line ? rows[Number(line[1])]!.row : firstRow;
      return { row, po: name, field: column ?? issue.path, message: issue.message };
    },
  };
}

/** The column behind a body path: its own, the one it is part of, or the one that derives it. */
function columnFor(path: string, level: Level): string | undefined {
  if (DERIVED_TARGETS[path]) return DERIVED_TARGETS[path];
  const columns = CSV_COLUMNS.filter((column) => column.level === level);
  const matches = (target: string) =>
    path === target || path.startsWith(`${target}.`) || path.startsWith(`${target}[`);
  return (
    columns.find((column) => matches(column.target)) ??
    // An issue about a whole object (`origin_port`, `product`) points at its first column.
    columns.find((column) => column.target.startsWith(`${path}.`) || column.target.startsWith(`${path}[`))
  )?.name;
}

/** Sets `a.b[0].c` in a plain object, creating what is missing. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(/\.|\[(\d+)\]/).filter((key) => key !== undefined && key !== '');
  let current: Record<string, unknown> | unknown[] = target;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const index = /^\d+$/.test(key) ? Number(key) : key;
    const container = current as Record<string | number, unknown>;
    if (last) container[index] = value;
    else {
      container[index] ??= /^\d+$/.test(keys[i + 1]!) ? [] : {};
      current = container[index] as Record<string, unknown>;
    }
  });
}
