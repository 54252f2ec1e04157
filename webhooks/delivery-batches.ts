/**
 * Events for one PO that arrive while a message to it is still on its way wait for it, and travel
 * together in the next one (up to MAX_EVENTS_PER_SIGNAL and MAX_BATCH_BYTES): a burst reaches the PO
 * batch after batch at the pace it takes them in, instead of piling onto it (every signal is a
 * history event, Temporal accepts at most 10,000 per history, and the SDK's fixed cost per message
 * is what a flood runs into). Knows nothing of Temporal: what a batch is sent as is the caller's.
 */

export const MAX_EVENTS_PER_SIGNAL = 100;

/**
 * The most JSON one message carries when it carries more than one event: Temporal refuses a
 * payload over 2 MB (and warns from 512 KB), and 100 events of a few KiB fit many times over. An
 * event larger than this goes alone, as the single-event signal it would be without batching (the
 * receiver's body limit, 1 MiB by default, keeps a webhook's under Temporal's 2 MB).
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/**
 * How many of the `waiting` events (`sizeAt(i)`: the JSON size of the i-th) the next message
 * takes: at most MAX_EVENTS_PER_SIGNAL and MAX_BATCH_BYTES between them, and always the first
 * (alone when it is larger than MAX_BATCH_BYTES itself). Sizes are asked for only when more than
 * one event waits, and no further than the batch reaches.
 */
export function nextBatchLength(waiting: number, sizeAt: (i: number) => number): number {
  const available = Math.min(waiting, MAX_EVENTS_PER_SIGNAL);
  if (available <= 1) return available;
  let bytes = sizeAt(0);
  let taken = 1;
  for (; taken < available; taken++) {
    const size = sizeAt(taken);
    if (bytes + size > MAX_BATCH_BYTES) break;
    bytes += size;
  }
  return taken;
}

/** What one batch's message came to: every event in it settles with the same. */
type Settled<Outcome> = { outcome: Outcome } | { err: unknown };

interface Waiting<Event, Outcome> {
  event: Event;
  settle: (result: Settled<Outcome>) => void;
  /** The event's JSON size, measured once when a batch is made. */
  bytes?: number;
}

/**
 * The events waiting per lane (a PO's workflow id, with the rule for unknown POs) for the message
 * in flight to it to be accepted. A lane exists only while something is on its way.
 */
export class PoEventBatches<Event, Outcome> {
  private readonly lanes = new Map<string, Waiting<Event, Outcome>[]>();

  /**
   * Sends `event` at once when nothing is on its way in `lane`, or with the events that gather
   * behind the message in flight; resolves (or fails) with the message that carried it. The lane's
   * batches all go through the `send` of the event that opened it.
   */
  send(lane: string, event: Event, send: (events: Event[]) => Promise<Outcome>): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const settle = (result: Settled<Outcome>) =>
        'err' in result ? reject(result.err) : resolve(result.outcome);
      const open = this.lanes.get(lane);
      if (open) return void open.push({ event, settle });
      const waiting: Waiting<Event, Outcome>[] = [{ event, settle }];
      this.lanes.set(lane, waiting);
      void drainLane(waiting, send, () => this.lanes.delete(lane));
    });
  }
}

/** Sends what waits, batch after batch; `idle` runs in the same tick the lane is found empty. */
async function drainLane<Event, Outcome>(
  waiting: Waiting<Event, Outcome>[],
  send: (events: Event[]) => Promise<Outcome>,
  idle: () => void,
): Promise<void> {
  while (waiting.length > 0) {
    const sizeAt = (i: number) =>
      (waiting[i]!.bytes ??= Buffer.byteLength(JSON.stringify(waiting[i]!.event)));
    const batch = waiting.splice(0, nextBatchLength(waiting.length, sizeAt));
    const result = await send(batch.map((w) => w.event)).then(
      (outcome): Settled<Outcome> => ({ outcome }),
      (err: unknown): Settled<Outcome> => ({ err: err ?? new Error('signal failed') }),
    );
    for (const w of batch) w.settle(result);
  }
  idle();
}
