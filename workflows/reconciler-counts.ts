/** What one walk of the event reconciler counted, and the totals it starts from. Workflow-safe. */
export interface WalkCounts {
  events: number;
  signalled: number;
  closedPo: number;
  unknownPo: number;
  unrouted: number;
  /** Events given up on (dead letters). */
  deadLettered: number;
}

export const NO_COUNTS: Readonly<WalkCounts> = {
  events: 0,
  signalled: 0,
  closedPo: 0,
  unknownPo: 0,
  unrouted: 0,
  deadLettered: 0,
};
