/**
 * The provider event ids a PO has applied, for deduplication: the newest `capacity` ids, in a Set
 * (membership in O(1)) beside a ring (which id to forget next, in O(1)). It is rebuilt from its ids
 * after continue-as-new. Pure code: no Temporal, no IO.
 */
export const MAX_SEEN_EVENTS = 10_000;

export class EventIdWindow {
  private readonly seen = new Set<number>();
  private readonly ring: number[] = [];
  /** Where the oldest id sits once the ring is full. */
  private oldest = 0;

  constructor(
    ids: readonly number[] = [],
    private readonly capacity = MAX_SEEN_EVENTS,
  ) {
    for (const id of ids) this.add(id);
  }

  /** Records `id`; false when it is already in the window (a duplicate delivery). */
  add(id: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.ring.length < this.capacity) {
      this.ring.push(id);
    } else {
      this.seen.delete(this.ring[this.oldest]!);
      this.ring[this.oldest] = id;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    return true;
  }

  has(id: number): boolean {
    return this.seen.has(id);
  }

  get size(): number {
    return this.ring.length;
  }

  /** The ids, oldest first: what continue-as-new carries and the `state` query shows. */
  ids(): number[] {
    return [...this.ring.slice(this.oldest), ...this.ring.slice(0, this.oldest)];
  }
}
