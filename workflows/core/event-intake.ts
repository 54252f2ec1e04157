/**
 * Provider events on their way into a PO. A signal or an update only parses and buffers them: O(1)
 * per event and no promise (a promise chain per signal crashed the worker under a flood:
 * docs/lifecycle.md, "Floods and long life"); the main loop drains the buffer every activation,
 * and an operator's request drains it before its rule is checked. A PO started before batched
 * intake applies each event in its handler, as its history recorded. An id the PO applied already
 * (within the window) is a duplicate delivery and skipped. Each run counts what it took in
 * (`RunBudget`). Workflow code only.
 */
import { log } from '@temporalio/workflow';
import { EventIdWindow } from './event-id-window';
import type { RunBudget } from './run-budget';

/** What the intake counts per run: well-formed events, signals, and updates carrying events. */
export type IntakeCount = 'events' | 'signals' | 'updates';

/** The provider's event schema (zod): the event, or why it is malformed. */
export interface EventSchema<T> {
  safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: unknown } };
}

export class EventIntake<T extends { id: number }> {
  /** The ids applied: what the `state` query shows and continue-as-new carries. */
  readonly seen: EventIdWindow;
  private readonly buffered: T[] = [];

  constructor(
    private readonly schema: EventSchema<T>,
    private readonly apply: (event: T) => void,
    private readonly run: { seenIds: readonly number[]; batched: boolean; budget: RunBudget<IntakeCount> },
  ) {
    this.seen = new EventIdWindow(run.seenIds);
  }

  /** A signal of one event. */
  signal(raw: unknown): void {
    this.run.budget.take('signals');
    this.receive(raw);
  }

  /** A signal of several events. */
  signalList(raws: unknown): void {
    this.run.budget.take('signals');
    if (!Array.isArray(raws)) return log.warn('provider events dropped: not a list');
    for (const raw of raws) this.receive(raw);
  }

  /** An update of several events (its validator checked the list): how many were well-formed. */
  update(raws: readonly unknown[]): number {
    const { budget } = this.run;
    budget.take('updates');
    const before = budget.count('events');
    for (const raw of raws) this.receive(raw);
    return budget.count('events') - before;
  }

  /** Events are buffered, waiting for `drain`. */
  get waiting(): boolean {
    return this.buffered.length > 0;
  }

  /** Applies the buffered events, in the order they came. */
  drain(): void {
    for (const event of this.buffered) this.applyOnce(event);
    this.buffered.length = 0;
  }

  private receive(raw: unknown): void {
    const parsed = this.schema.safeParse(raw);
    // An envelope without an id cannot be deduplicated or traced: log it and drop it.
    if (!parsed.success) return log.warn('malformed provider event dropped', { issues: parsed.error.issues });
    this.run.budget.take('events');
    if (this.run.batched) this.buffered.push(parsed.data);
    else this.applyOnce(parsed.data);
  }

  private applyOnce(event: T): void {
    if (this.seen.add(event.id)) this.apply(event);
  }
}
