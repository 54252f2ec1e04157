/**
 * The fixed choices of a PO (providers, auto-close anchors), apart from the schemas: the command
 * line's help names them without loading zod. Workflow-safe.
 */
export const PROVIDERS = ['flexport', 'flxpoint'] as const;
export type Provider = (typeof PROVIDERS)[number];
/** Where a PO goes when no provider is named. */
export const DEFAULT_PROVIDER: Provider = 'flexport';

export const AUTO_CLOSE_ANCHORS = ['must_arrive_date', 'delivered_in_full'] as const;
export type AutoCloseAnchor = (typeof AUTO_CLOSE_ANCHORS)[number];
