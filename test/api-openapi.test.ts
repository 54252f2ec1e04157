/**
 * The ERP API's contract: docs/openapi.json is what the code generates now (route table and zod
 * schemas), the typed client's types are generated from it, every route is in it, no schema in it
 * is empty, and it is a valid OpenAPI 3.1 document whose schemas are valid JSON Schema 2020-12.
 * No server, no Temporal: this runs in seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOpenApiDocument, PROBLEM_JSON, type JsonSchema } from '../client/api/openapi';
import { API_ROUTES } from '../client/api/routes';
import { DOCUMENT_FILE, documentText, TYPES_FILE, typesText } from '../scripts/api-contract';
import { documentValidators } from './support/openapi-validator';

const committed = () => readFileSync(DOCUMENT_FILE, 'utf8');
const ROOT = path.join(__dirname, '..');

test('docs/openapi.json is the document the code generates (else: npm run api:openapi)', async () => {
  const generated = buildOpenApiDocument();
  const stale = 'docs/openapi.json is stale: run npm run api:openapi and commit it';
  // Content first, for a readable difference; then the text, as Prettier writes it.
  expect({ document: JSON.parse(committed()), stale }).toEqual({ document: generated, stale });
  expect({ text: committed(), stale }).toEqual({ text: await documentText(), stale });
});

test('the typed client is generated from the committed document (else: npm run api:types)', async () => {
  const stale = `${path.relative(ROOT, TYPES_FILE)} is stale: run npm run api:types and commit it`;
  expect({ text: readFileSync(TYPES_FILE, 'utf8'), stale }).toEqual({ text: await typesText(), stale });
});

test('every route of API_ROUTES is in the document, with its body, responses and parameters', () => {
  const document = buildOpenApiDocument();
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
  expect(operations).toHaveLength(API_ROUTES.length);
  for (const route of API_ROUTES) {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()] as
      | {
          operationId: string;
          summary: string;
          parameters?: { $ref?: string; name?: string }[];
          requestBody?: { content: Record<string, { schema: JsonSchema }> };
          responses: Record<string, { content: Record<string, { schema: JsonSchema }> }>;
        }
      | undefined;
    expect({ route: route.operationId, found: operation !== undefined }).toEqual({
      route: route.operationId,
      found: true,
    });
    expect(operation!.operationId).toBe(route.operationId);
    expect(operation!.summary).toBe(route.summary);
    const body = operation!.requestBody?.content['application/json']?.schema;
    expect(body).toEqual(
      route.requestBody ? { $ref: `#/components/schemas/${route.requestBody}` } : undefined,
    );
    expect(Object.keys(operation!.responses).sort()).toEqual(Object.keys(route.responses).sort());
    for (const [status, schema] of Object.entries(route.responses)) {
      const type = schema === 'Problem' ? PROBLEM_JSON : 'application/json';
      expect(operation!.responses[status]!.content).toEqual({
        [type]: { schema: { $ref: `#/components/schemas/${schema}` } },
      });
    }
    const parameters = (operation!.parameters ?? []).map((p) => p.$ref?.split('/').pop() ?? p.name);
    if (route.path.includes('{name}'))
      expect(parameters).toEqual(expect.arrayContaining(['provider', 'name']));
    if (route.write) expect(parameters).toEqual(expect.arrayContaining(['Prefer', 'Idempotency-Key']));
    for (const name of Object.keys(route.query ?? {})) expect(parameters).toContain(name);
  }
});

test('no schema in the document is empty', () => {
  const empty: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node !== 'object' || node === null) return;
    if (!Array.isArray(node) && Object.keys(node).length === 0) empty.push(at);
    for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`);
  };
  walk(buildOpenApiDocument(), '#');
  expect(empty).toEqual([]);
  // Every component says something of its own: a type, a composition or a reference.
  for (const [name, schema] of Object.entries(buildOpenApiDocument().components.schemas)) {
    const shaped = ['type', 'anyOf', 'oneOf', 'allOf', '$ref'].some((key) => key in schema);
    expect({ name, shaped }).toEqual({ name, shaped: true });
  }
});

test('the document is valid OpenAPI 3.1 (the official schema, offline)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-openapi-'));
  try {
    // The committed file and the generated document both, so a stale file is not what passes.
    const generated = path.join(dir, 'openapi.json');
    writeFileSync(generated, JSON.stringify(buildOpenApiDocument()));
    for (const file of [DOCUMENT_FILE, generated]) {
      const cli = path.join(ROOT, 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
      let output: string;
      try {
        output = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
      } catch (err) {
        output = (err as { stdout?: string }).stdout ?? String(err);
      }
      expect(JSON.parse(output)).toEqual({ valid: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every schema compiles as JSON Schema 2020-12 in strict mode, its references resolved', () => {
  // Ajv checks each schema against the 2020-12 meta-schema, refuses unknown keywords and formats
  // (strict) and resolves every $ref.
  const document = buildOpenApiDocument();
  const validators = documentValidators(document as unknown as Record<string, unknown>, { close: false });
  for (const name of Object.keys(document.components.schemas)) {
    expect(() => validators.schema(name)).not.toThrow();
  }
});

test('closed, the validators refuse a field added or a required one dropped, at any depth', () => {
  const validators = documentValidators(buildOpenApiDocument() as unknown as Record<string, unknown>);
  const page = validators.schema('PurchaseOrderPage');
  const summary = { name: 'PO-1', late: false, shipmentIds: [], workflowId: 'po/flexport/PO-1' };
  expect(page({ purchaseOrders: [summary] })).toBe(true);
  expect(page({ purchaseOrders: [{ ...summary, colour: 'blue' }] })).toBe(false);
  const { late: _late, ...withoutLate } = summary;
  expect(page({ purchaseOrders: [withoutLate] })).toBe(false);
  const problem = validators.schema('Problem');
  const refused = { type: 'urn:poflow:problem:invalid-fields', title: 'Unprocessable Content', status: 422 };
  expect(problem({ ...refused, detail: 'bad', errors: [{ path: 'name', message: 'is required' }] })).toBe(
    true,
  );
  expect(problem({ ...refused, detail: 'bad', errors: [{ path: 'name', message: 'x', hint: 'y' }] })).toBe(
    false,
  );
  expect(problem(refused)).toBe(false);
});
