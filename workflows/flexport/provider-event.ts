/** Flexport's event envelope, as the webhook receiver, the reconciler and the PO workflow read it. */
import { z } from 'zod';
import { buildOnce } from '../core/shared-schemas';

/**
 * One Flexport `/event` envelope, as webhooks deliver it and `GET /events` lists it. New event
 * types and fields appear at any time, so everything beyond the envelope passes through.
 */
export const ProviderEvent = buildOnce('provider-event', () =>
  z.looseObject({
    _object: z.literal('/event'),
    id: z.number().int(),
    version: z.union([z.number(), z.string()]).optional(),
    type: z.string().min(1),
    created_at: z.string().optional(),
    occurred_at: z.string().optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
);
export type ProviderEvent = z.output<typeof ProviderEvent>;
