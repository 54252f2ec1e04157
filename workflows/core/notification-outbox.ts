/**
 * A PO's notifications waiting to be delivered, in order, with a per-PO sequence that makes each
 * one's id (the same on replay, on retry and after continue-as-new). The workflow's sender takes
 * them from the head one at a time; the lifecycle never waits for it. It serves either provider's
 * PO: the workflow says what a change tells (`notificationsFor`, `flxpointNotificationsFor`), the
 * outbox numbers, orders and keeps it. Pure code: no Temporal, no IO.
 */
import type { Alert } from './notifications';
import {
  announcedBefore,
  stuckAlert,
  type ErpEvent,
  type NotificationDraft,
  type NotifiedPo,
  type NotifySettings,
} from './notifications';
import { DEFAULT_NEEDS_ATTENTION_ALERT_HOURS } from './settings';

export interface Notification {
  /** `<workflow id>#<sequence>`: what a receiver deduplicates on. */
  id: string;
  /** The PO as it stood when the change happened. */
  purchaseOrder: { name: string; provider: string; workflowId: string; providerId?: number; status: string };
  event?: ErpEvent;
  alert?: Alert;
  /** Endpoints that already answered 2xx in an earlier round: the next round skips them. */
  answered: string[];
}

/** Why the head of the outbox is not delivered yet; cleared once it is. */
export interface DeliveryFailure {
  /** The notification that fails. */
  id: string;
  since: string;
  /** Delivery rounds failed so far (each of several attempts with backoff). */
  rounds: number;
  lastAt: string;
  /** Which endpoints failed and how (host and status only: no URL path, no body). */
  message: string;
}

/** The outbox as continue-as-new carries it. */
export interface OutboxMemory {
  sequence: number;
  pending: Notification[];
  delivered: number;
  dropped: number;
  failure?: DeliveryFailure;
  announced: boolean;
  /** When the PO last entered `needs_attention`, and whether people were alerted about it. */
  attention?: { since: string; alerted: boolean };
}

/** What the `state` query shows of the deliveries. */
export interface DeliveriesView {
  delivered: number;
  pending: number;
  /** The first few waiting, oldest first. */
  next: { id: string; type: string; at: string }[];
  dropped: number;
  failing?: DeliveryFailure;
}

/**
 * At most this many wait: far more than a whole lifecycle makes (about a dozen), so only a PO whose
 * endpoint is down for a very long time while it keeps changing drops its oldest (counted, logged).
 */
export const MAX_PENDING_NOTIFICATIONS = 200;
const SHOWN_IN_VIEW = 5;
const HOUR_MS = 3_600_000;
/** Between failed delivery rounds: 1 minute doubling to 30 minutes, for as long as it takes. */
const FIRST_ROUND_DELAY_MS = 60_000;
const MAX_ROUND_DELAY_MS = 30 * 60_000;

export class NotificationOutbox {
  private readonly memory: OutboxMemory;
  /** Bumped on every change, so the shell republishes the Web UI details. */
  revision = 0;

  constructor(
    private readonly workflowId: string,
    state: NotifiedPo,
    private readonly settings: NotifySettings,
    memory?: OutboxMemory,
  ) {
    this.memory = memory ?? {
      sequence: 0,
      pending: [],
      delivered: 0,
      dropped: 0,
      announced: announcedBefore(state),
      attention:
        state.status === 'needs_attention'
          ? { since: state.history.at(-1)?.at ?? state.createdAt, alerted: false }
          : undefined,
    };
  }

  /** The PO's `opened` went out already: nothing opens twice. */
  get announced(): boolean {
    return this.memory.announced;
  }

  /**
   * Queues what one change (at `at`, from `previous` to `next`) has to tell; returns how many were
   * dropped to stay bounded.
   */
  record(previous: NotifiedPo, next: NotifiedPo, drafts: NotificationDraft[], at: string): number {
    const m = this.memory;
    if (drafts.some((d) => d.event?.type === 'purchase_order.opened')) m.announced = true;
    if (this.settings.notifyErp === false) {
      // Alerts only: the ERP hears nothing of this PO.
      return this.add(
        drafts.flatMap(({ alert }) => (alert ? [{ alert }] : [])),
        next,
      );
    }
    if (next.status !== 'needs_attention') m.attention = undefined;
    else if (previous.status !== 'needs_attention') m.attention = { since: at, alerted: false };
    return this.add(drafts, next);
  }

  /** When people are to be alerted that the PO still needs attention; undefined when not due. */
  deadline(state: NotifiedPo): string | undefined {
    const hours = this.settings.needsAttentionAlertHours ?? DEFAULT_NEEDS_ATTENTION_ALERT_HOURS;
    const attention = this.memory.attention;
    if (hours === false || !attention || attention.alerted || state.status !== 'needs_attention') return;
    return new Date(Date.parse(attention.since) + hours * HOUR_MS).toISOString();
  }

  /** A timer fired at `at`: the needs-attention alert, if it is due. */
  deadlineReached(state: NotifiedPo, at: string): number {
    const due = this.deadline(state);
    if (!due || due > at) return 0;
    this.memory.attention = { ...this.memory.attention!, alerted: true };
    return this.add([stuckAlert(state, this.memory.attention.since, at)], state);
  }

  head(): Notification | undefined {
    return this.memory.pending[0];
  }

  get idle(): boolean {
    return this.memory.pending.length === 0;
  }

  /** The head went out to every endpoint that wants it. */
  delivered(): void {
    this.memory.pending.shift();
    this.memory.delivered += 1;
    this.memory.failure = undefined;
    this.revision += 1;
  }

  /** A round failed for the head; `answered` are the endpoints that took it anyway. */
  failed(answered: string[], message: string, at: string): void {
    const head = this.memory.pending[0]!;
    head.answered = [...new Set([...head.answered, ...answered])];
    const before = this.memory.failure?.id === head.id ? this.memory.failure : undefined;
    this.memory.failure = {
      id: head.id,
      since: before?.since ?? at,
      rounds: (before?.rounds ?? 0) + 1,
      lastAt: at,
      message,
    };
    this.revision += 1;
  }

  /** How long to wait before the next round after a failed one. */
  retryDelayMs(): number {
    const rounds = this.memory.failure?.rounds ?? 1;
    return Math.min(FIRST_ROUND_DELAY_MS * 2 ** (rounds - 1), MAX_ROUND_DELAY_MS);
  }

  snapshot(): OutboxMemory {
    return this.memory;
  }

  view(): DeliveriesView {
    const { pending, delivered, dropped, failure } = this.memory;
    return {
      delivered,
      pending: pending.length,
      next: pending.slice(0, SHOWN_IN_VIEW).map((n) => ({
        id: n.id,
        type: n.event?.type ?? `alert.${n.alert!.kind}`,
        at: n.event?.occurredAt ?? n.alert!.at,
      })),
      dropped,
      ...(failure ? { failing: failure } : {}),
    };
  }

  private add(drafts: NotificationDraft[], state: NotifiedPo): number {
    if (drafts.length === 0) return 0;
    const m = this.memory;
    const { name, provider, providerId, status } = state;
    const purchaseOrder = { name, provider, workflowId: this.workflowId, providerId, status };
    for (const draft of drafts) {
      m.sequence += 1;
      m.pending.push({ id: `${this.workflowId}#${m.sequence}`, purchaseOrder, ...draft, answered: [] });
    }
    // Never the head: it may be on its way right now.
    const excess = Math.min(m.pending.length - MAX_PENDING_NOTIFICATIONS, m.pending.length - 1);
    if (excess > 0) {
      m.pending.splice(1, excess);
      m.dropped += excess;
    }
    this.revision += 1;
    return Math.max(excess, 0);
  }
}

/** `3 delivered, 1 waiting; failing since ...`: what the ERP and the on-call have been told. */
export function deliveriesLine(deliveries: DeliveriesView, emphasis = (text: string) => text): string {
  const { failing } = deliveries;
  return [
    `${deliveries.delivered} delivered, ${deliveries.pending} waiting`,
    deliveries.dropped > 0 ? emphasis(`${deliveries.dropped} dropped`) : undefined,
    failing
      ? `${emphasis(`failing since ${failing.since}`)} ` +
        `(${failing.rounds} rounds, last ${failing.lastAt}): ${failing.message}`
      : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}
