/**
 * Per-PO settings chosen at submission, for either provider, and how often a Flxpoint PO is read.
 * Workflow-safe: imported by workflow code, so no Node built-ins here.
 */
import { z } from 'zod';
import { AUTO_CLOSE_ANCHORS, DEFAULT_PROVIDER, PROVIDERS } from './choices';
import { buildOnce } from './shared-schemas';

export const DEFAULT_QUIET_CHECK_HOURS = 24;
export const DEFAULT_NEEDS_ATTENTION_ALERT_HOURS = 24;

/** The schemas, built once per worker thread (workflows/core/shared-schemas.ts). */
function settingsSchemas() {
  /**
   * How often a Flxpoint PO's status is read (Flxpoint pushes none): `firstSeconds` after each change,
   * doubling while nothing changes, up to `maxSeconds`.
   */
  const PollSchedule = z
    .strictObject({
      firstSeconds: z.number().int().min(1).default(60),
      maxSeconds: z.number().int().min(1).default(3600),
    })
    .refine((poll) => poll.maxSeconds >= poll.firstSeconds, {
      message: 'maxSeconds must not be below firstSeconds',
      path: ['maxSeconds'],
    });

  /** Per-PO settings chosen at submission. */
  const PoSettings = z.strictObject({
    provider: z.enum(PROVIDERS).default(DEFAULT_PROVIDER),
    /**
     * Providers read on a schedule only (checked at the boundary against the provider's
     * capabilities); unset means the default schedule (1 minute doubling to 1 hour).
     */
    poll: PollSchedule.optional(),
    /** Close the PO at the provider this many days after the anchor; `false` leaves closing to people. */
    autoClose: z
      .union([
        z.literal(false),
        z.strictObject({
          after: z.enum(AUTO_CLOSE_ANCHORS).default('delivered_in_full'),
          days: z.number().int().min(0).max(3650).default(30),
        }),
      ])
      .default({ after: 'delivered_in_full', days: 30 }),
    /**
     * Flexport only: read the PO at the provider when nothing has been heard about it for this
     * many hours (a webhook the reconciler could not recover either); `false` never reads.
     */
    quietCheckHours: z
      .union([z.literal(false), z.number().positive().max(8760)])
      .default(DEFAULT_QUIET_CHECK_HOURS),
    /**
     * Alert people when the PO stays in `needs_attention` this many hours (unset: 24); `false`
     * never alerts. The refusal itself is notified to the ERP at once.
     */
    needsAttentionAlertHours: z.union([z.literal(false), z.number().positive().max(8760)]).optional(),
    /**
     * `false`: nothing about this PO goes to the ERP endpoints (its late and booking-overdue alerts
     * still do).
     */
    notifyErp: z.boolean().optional(),
  });

  return { PollSchedule, PoSettings };
}

export const { PollSchedule, PoSettings } = buildOnce('po-settings', settingsSchemas);
export type PollSchedule = z.output<typeof PollSchedule>;
export type PoSettings = z.output<typeof PoSettings>;
export type PoSettingsInput = z.input<typeof PoSettings>;
