/**
 * The API's request bodies, checked field by field with the schemas `poflow` itself uses: the
 * provider's PO body (`poBodyOf`, `PO_LIMITS` first), the per-PO settings (`PoSettings`), a booking.
 * The envelope around them (`{ provider?, purchaseOrder, settings? }`, ...) is checked here with
 * the same wording; paths name the field from the top of the request
 * (`purchaseOrder.line_items[1].units`, `settings.autoClose`).
 */
import { DEFAULT_PROVIDER, type Provider } from '../../workflows/core/choices';
import type { FieldIssue } from '../../workflows/core/parsing';
import type { PoSettings, PoSettingsInput } from '../../workflows/core/settings';
import { adoptionSettingsOf } from '../../providers';
import { checkPurchaseOrder, PO_LIMITS, poBodyOf, sizeIssues } from '../purchase-orders';
import { isProvider } from '../purchase-order-requests';
import { ApiProblem, invalidFields, joinPath, prefixed, PROBLEM_TYPES } from './problems';
import { PROVIDERS } from '../../workflows/core/choices';

type Fields = Record<string, unknown>;

/** A PO to start, checked: its provider, its body as its schema passed it, its settings. */
export interface CreateRequest {
  provider: Provider;
  name: string;
  /** As given (what `startPurchaseOrder` takes). */
  raw: unknown;
  /** As the schema passed it (what the workflow keeps, to compare with a PO already followed). */
  po: unknown;
  settings: PoSettingsInput;
}

/** A request that is not a JSON object of these fields: 422 naming each one. */
export function fieldsOf(body: unknown, allowed: readonly string[], what: string, prefix = ''): Fields {
  if (body === undefined) body = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidFields(`${what}: expected a JSON object`, [
      { path: prefix, message: 'expected a JSON object' },
    ]);
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length) {
    throw invalidFields(
      `${what}: ${unknown.map((key) => JSON.stringify(key)).join(', ')} not known`,
      unknown.map((key) => ({ path: joinPath(prefix, key), message: 'is not a known field' })),
    );
  }
  return body as Fields;
}

function providerField(value: unknown, path: string): Provider | FieldIssue {
  if (typeof value === 'string' && isProvider(value)) return value;
  return {
    path,
    message: `${JSON.stringify(value)} is not a provider; expected one of ${PROVIDERS.join(', ')}`,
  };
}

function settingsField(value: unknown, path: string): Fields | FieldIssue {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Fields;
  return { path, message: 'expected a JSON object of settings' };
}

const isIssue = (value: unknown): value is FieldIssue =>
  typeof value === 'object' && value !== null && 'message' in value && 'path' in value;

/**
 * `{ provider?, purchaseOrder, settings? }`: the provider given (or the settings', or Flexport),
 * the body within `PO_LIMITS` (over its bytes: 413), every field refused at once (422).
 */
export function createRequestOf(body: unknown, prefix = ''): CreateRequest {
  const what = 'not a valid purchase order request';
  const fields = fieldsOf(body, ['provider', 'purchaseOrder', 'settings'], what, prefix);
  const issues: FieldIssue[] = [];
  const given = fields.provider === undefined ? undefined : providerField(fields.provider, 'provider');
  const settings = settingsField(fields.settings, 'settings');
  if (isIssue(given)) issues.push(given);
  if (isIssue(settings)) issues.push(settings);
  const inSettings = isIssue(settings) ? undefined : settings.provider;
  const named = inSettings === undefined ? undefined : providerField(inSettings, 'settings.provider');
  if (isIssue(named)) issues.push(named);
  else if (named !== undefined && given !== undefined && !isIssue(given) && named !== given) {
    issues.push({ path: 'settings.provider', message: `must be the request's provider, ${given}` });
  }
  if (fields.purchaseOrder === undefined) issues.push({ path: 'purchaseOrder', message: 'is required' });
  if (issues.length) throw invalidFields(what, prefixed(issues, prefix));
  const chosen = (given as Provider | undefined) ?? (named as Provider | undefined) ?? DEFAULT_PROVIDER;
  const raw = fields.purchaseOrder;
  tooLarge(chosen, raw, joinPath(prefix, 'purchaseOrder'));
  const input = { ...(settings as Fields), provider: chosen } as PoSettingsInput;
  const checked = checkPurchaseOrder(raw, input);
  if (!checked.ok) {
    throw invalidFields(`not a valid purchase order for ${chosen}`, [
      ...prefixed(checked.po, joinPath(prefix, 'purchaseOrder')),
      ...prefixed(checked.settings, joinPath(prefix, 'settings')),
    ]);
  }
  const name = (raw as Fields)[poBodyOf(chosen).nameField] as string;
  return { provider: chosen, name, raw, po: checked.po, settings: input };
}

/** A PO over `PO_LIMITS.jsonBytes`: 413, in the CLI's words. */
export function tooLarge(provider: Provider, raw: unknown, path: string): void {
  const oversized = sizeIssues(poBodyOf(provider), raw).filter((issue) => issue.path === '');
  if (oversized.length) {
    throw new ApiProblem(
      413,
      PROBLEM_TYPES.tooLarge,
      `the purchase order is too large (at most ${PO_LIMITS.jsonBytes / 1024} KB of JSON)`,
      prefixed(oversized, path),
    );
  }
}

/** `{ purchaseOrder }`: the amended PO's full body. */
export function amendRequestOf(body: unknown): unknown {
  const fields = fieldsOf(body, ['purchaseOrder'], 'not a valid amendment');
  if (fields.purchaseOrder === undefined) {
    throw invalidFields('not a valid amendment', [{ path: 'purchaseOrder', message: 'is required' }]);
  }
  return fields.purchaseOrder;
}

/** `{ reason? }` (a cancel) or `{}` (a close); no body is `{}`. */
export function reasonOf(body: unknown, what: string): string | undefined {
  const fields = fieldsOf(body, ['reason'], what);
  const reason = fields.reason;
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || reason.length > 1000) {
    throw invalidFields(what, [{ path: 'reason', message: 'expected text of at most 1000 characters' }]);
  }
  return reason;
}

/** `{ provider?, name, settings? }`: a PO to read at its provider and follow. */
export function adoptionRequestOf(body: unknown): { provider: Provider; name: string; settings: PoSettings } {
  const what = 'not a valid adoption request';
  const fields = fieldsOf(body, ['provider', 'name', 'settings'], what);
  const issues: FieldIssue[] = [];
  const given = fields.provider === undefined ? undefined : providerField(fields.provider, 'provider');
  const settings = settingsField(fields.settings, 'settings');
  if (isIssue(given)) issues.push(given);
  if (isIssue(settings)) issues.push(settings);
  const name = fields.name;
  if (typeof name !== 'string' || name === '' || name.length > PO_LIMITS.nameCharacters) {
    issues.push({
      path: 'name',
      message: `expected the PO's name (1-${PO_LIMITS.nameCharacters} characters)`,
    });
  }
  if (issues.length) throw invalidFields(what, issues);
  const provider = (given as Provider | undefined) ?? DEFAULT_PROVIDER;
  const parsed = adoptionSettingsOf({ ...(settings as Fields), provider } as PoSettingsInput);
  if (!parsed.ok) throw invalidFields(what, prefixed(parsed.issues, 'settings'));
  return { provider, name: name as string, settings: parsed.value };
}
