/**
 * A webhook body: the shared `ProviderEvent` envelope, held to what a delivery must carry (a
 * positive id, version 2, both timestamps). Loose beyond that: Flexport adds event types and
 * fields at any time, and an unknown one must still reach the workflow unchanged.
 */
import { z } from 'zod';
import { ProviderEvent } from '../workflows/flexport/provider-event';

export const WebhookEvent = ProviderEvent.extend({
  id: z.number().int().positive(),
  version: z.number().int(),
  created_at: z.iso.datetime({ offset: true }),
  occurred_at: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.output<typeof WebhookEvent>;

export type ParsedEvent = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

/** JSON then the envelope; the reason names the first offending field, never echoes the body. */
export function parseEvent(raw: Buffer): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const result = WebhookEvent.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, reason: `${issue.path.join('.') || 'body'}: ${issue.message}` };
}
