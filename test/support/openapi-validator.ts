/**
 * The ERP API's document as Ajv validators (JSON Schema 2020-12, strict mode, formats checked):
 * what test/api-contract.test.ts checks every response body against, and test/api-openapi.test.ts
 * compiles every schema with.
 *
 * Closed (the default), every object schema that lists its properties gets
 * `additionalProperties: false` where it leaves it open, so a field the server sends that the
 * document does not name fails, as does a required one it leaves out.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = { [key: string]: unknown };

const COMPONENTS = '#/components/schemas/';
const ID = 'poflow-openapi';

/** A copy of a schema with `$ref`s to components made into `$defs` (and every object closed). */
function prepared(node: unknown, close: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => prepared(item, close));
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENTS)) {
      out.$ref = `#/$defs/${value.slice(COMPONENTS.length)}`;
    } else if (key === 'discriminator') {
      // OpenAPI's keyword; Ajv takes it without `mapping` (the `provider` consts say the same).
      const { mapping: _mapping, ...rest } = value as Json;
      out.discriminator = rest;
    } else {
      out[key] = prepared(value, close);
    }
  }
  // An object that lists its properties; not a union of objects (its branches are closed each).
  const listsProperties = out.properties !== undefined && !['oneOf', 'anyOf', 'allOf'].some((k) => k in out);
  if (close && listsProperties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export interface DocumentValidators {
  /** Compiles (once) the validator of `#/components/schemas/<name>`. */
  schema(name: string): ValidateFunction;
  /** The validator of an operation's response body for a status, undefined when none is declared. */
  response(
    operationId: string,
    status: number,
  ): { validate: ValidateFunction; mediaType: string } | undefined;
}

export function documentValidators(document: Json, options: { close?: boolean } = {}): DocumentValidators {
  const close = options.close ?? true;
  const ajv = new Ajv2020({ strict: true, discriminator: true, allErrors: true });
  addFormats(ajv);
  const components = (document.components as { schemas: Json }).schemas;
  ajv.addSchema({ $id: ID, $defs: prepared(components, close) as Json });
  const schema = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`${ID}#/$defs/${name}`);
    if (!validate) throw new Error(`no schema ${name} in the document`);
    return validate;
  };
  const operations = new Map<string, Json>();
  for (const item of Object.values(document.paths as Record<string, Record<string, Json>>)) {
    for (const operation of Object.values(item)) operations.set(operation.operationId as string, operation);
  }
  return {
    schema,
    response(operationId, status) {
      const operation = operations.get(operationId);
      if (!operation) throw new Error(`no operation ${operationId} in the document`);
      const response = (operation.responses as Record<string, { content: Record<string, { schema: Json }> }>)[
        String(status)
      ];
      if (!response) return undefined;
      const [mediaType, { schema: body }] = Object.entries(response.content)[0]!;
      const ref = body.$ref as string;
      return { validate: schema(ref.slice(COMPONENTS.length)), mediaType };
    },
  };
}
