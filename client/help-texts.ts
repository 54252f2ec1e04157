/**
 * What the command line's help says about per-PO settings, apart from the schemas so that
 * `poflow --help` loads neither zod nor Temporal (the statuses' meanings: `workflows/core/status.ts`).
 */
import { AUTO_CLOSE_ANCHORS } from '../workflows/core/choices';

export const AUTO_CLOSE_HELP =
  'Flexport: close the PO this many days after --auto-close-after, or "off" (default 30)';
export const AUTO_CLOSE_AFTER_HELP =
  `Flexport: what auto-close counts from: ${AUTO_CLOSE_ANCHORS.join(' or ')}` +
  ' (default delivered_in_full)';
export const ATTENTION_ALERT_HELP =
  'Alert people when the PO stays in needs_attention this many hours, or "off" (default 24)';
export const NO_NOTIFY_ERP_HELP =
  'Send nothing about the PO to the ERP endpoints (alerts to people still go)';
export const POLL_FIRST_HELP = 'Flxpoint: read the status this many seconds after a change (default 60)';
export const POLL_MAX_HELP =
  'Flxpoint: at most this many seconds between reads while nothing changes (default 3600)';

/** POs `poflow import` starts at once unless `--concurrency` says otherwise. */
export const DEFAULT_IMPORT_CONCURRENCY = 16;

/**
 * How long `amend`, `book`, `close` and `cancel` wait for their effect before saying it is still in
 * progress.
 */
export const DEFAULT_WAIT_SECONDS = 30;
