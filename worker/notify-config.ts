/**
 * Where the PO notifications go: `POFLOW_NOTIFY_URLS` (every event type, signed with
 * `POFLOW_NOTIFY_SECRET`), the endpoints of `POFLOW_NOTIFY_FILE` (each with its own event types
 * and secret, or the shared one), and `POFLOW_ALERT_WEBHOOK_URL` for alerts to people. An endpoint
 * is named by its host (or the file's `name`) wherever it shows: its path and query may hold a token.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { NotifyEndpoint } from '../activities/notifications';
import { NOTIFICATION_TYPES } from '../workflows/core/notifications';

export class NotifyConfigError extends Error {}

export interface NotifyConfig {
  endpoints: NotifyEndpoint[];
  alertWebhookUrl?: string;
}

const MIN_SECRET = 16;
const HttpUrl = z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' });
const Secret = z.string().min(MIN_SECRET, `must be at least ${MIN_SECRET} characters`);

const NotifyFile = z.strictObject({
  endpoints: z.array(
    z.strictObject({
      url: HttpUrl,
      secret: Secret.optional(),
      types: z.array(z.enum(NOTIFICATION_TYPES)).min(1).optional(),
      name: z.string().min(1).optional(),
    }),
  ),
});
type FileEndpoint = z.output<typeof NotifyFile>['endpoints'][number];

export function loadNotifyConfig(env: NodeJS.ProcessEnv): NotifyConfig {
  const text = (name: string) => (env[name] === '' ? undefined : env[name]);
  const listed = (text('POFLOW_NOTIFY_URLS') ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const fromEnv = listed.map((url): FileEndpoint => {
    if (!HttpUrl.safeParse(url).success)
      fail(`POFLOW_NOTIFY_URLS: ${JSON.stringify(url)} is not an http(s) URL`);
    return { url };
  });
  const file = text('POFLOW_NOTIFY_FILE');
  const fromFile = file ? readNotifyFile(file) : [];
  const shared = text('POFLOW_NOTIFY_SECRET');
  if (shared !== undefined && !Secret.safeParse(shared).success)
    fail(`POFLOW_NOTIFY_SECRET: must be at least ${MIN_SECRET} characters`);
  const endpoints = [...fromEnv, ...fromFile].map((endpoint, i) => {
    const secret = endpoint.secret ?? shared;
    if (!secret) {
      const where =
        i < fromEnv.length
          ? 'POFLOW_NOTIFY_URLS is set'
          : `POFLOW_NOTIFY_FILE endpoints[${i - fromEnv.length}] has no secret`;
      fail(`POFLOW_NOTIFY_SECRET: required when ${where} (notifications are signed)`);
    }
    return {
      url: endpoint.url,
      secret,
      types: endpoint.types,
      label: endpoint.name ?? new URL(endpoint.url).host,
    };
  });
  // Two endpoints with one name tell apart by their place in the list.
  const labels = endpoints.map((endpoint) => endpoint.label);
  const unique = (label: string) => labels.indexOf(label) === labels.lastIndexOf(label);
  const alertWebhookUrl = text('POFLOW_ALERT_WEBHOOK_URL');
  if (alertWebhookUrl !== undefined && !HttpUrl.safeParse(alertWebhookUrl).success)
    fail('POFLOW_ALERT_WEBHOOK_URL: is not an http(s) URL');
  return {
    endpoints: endpoints.map((e, i) => ({ ...e, label: unique(e.label) ? e.label : `${e.label} #${i + 1}` })),
    alertWebhookUrl,
  };
}

function readNotifyFile(file: string): FileEndpoint[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`POFLOW_NOTIFY_FILE: can not read ${file} as JSON: ${(err as Error).message}`);
  }
  const parsed = NotifyFile.safeParse(raw);
  if (parsed.success) return parsed.data.endpoints;
  const issue = parsed.error.issues[0]!;
  fail(`POFLOW_NOTIFY_FILE (${file}): ${issue.path.join('.') || 'file'}: ${issue.message}`);
}

function fail(message: string): never {
  throw new NotifyConfigError(message);
}
