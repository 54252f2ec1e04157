/**
 * The event log: every state change is an `/event` (Flexport's webhook envelope), kept for
 * `GET /events` and handed to the webhook dispatcher as it is appended.
 */
import { z } from 'zod';
import type { Paginated } from './envelopes';
import { paginate, type PageRequest } from './paging';
import { intParam, parseFilters, timeParam } from './query';
import { nextId, type EventRecord, type State } from './state';

const EventFilters = z.object({
  'f.occurred_at.gte': timeParam.optional(),
  'f.occurred_at.lte': timeParam.optional(),
  'f.data.shipment.id': intParam.optional(),
  'f.data.resource._object': z.string().optional(),
  'f.type': z.string().optional(),
  /** Sandbox extension: only events after this id, a cursor for reconcilers. */
  'f.id.gt': intParam.optional(),
});

type Listener = (event: EventRecord) => void;

export class EventLog {
  private readonly listeners: Listener[] = [];

  constructor(
    private readonly state: State,
    private readonly now: () => Date,
  ) {}

  onEvent(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** `occurredAt`: when it happened, if before now (a milestone reported late); recorded now. */
  emit(type: string, data: Record<string, unknown>, occurredAt?: string): EventRecord {
    const at = this.now().toISOString();
    const event: EventRecord = {
      _object: '/event',
      id: nextId(this.state, 'event'),
      version: 2,
      type,
      created_at: at,
      occurred_at: occurredAt ?? at,
      data,
    };
    this.state.events.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  find(id: number): EventRecord | undefined {
    return this.state.events.find((e) => e.id === id);
  }

  list(query: unknown, paging: PageRequest, requestUrl: URL): Paginated<EventRecord> {
    const f = parseFilters(EventFilters, query);
    const matches = this.state.events.filter((e) => {
      const occurred = Date.parse(e.occurred_at);
      return (
        (f['f.occurred_at.gte'] === undefined || occurred >= f['f.occurred_at.gte']) &&
        (f['f.occurred_at.lte'] === undefined || occurred <= f['f.occurred_at.lte']) &&
        (f['f.data.shipment.id'] === undefined ||
          field(e.data, 'shipment', 'id') === f['f.data.shipment.id']) &&
        (f['f.data.resource._object'] === undefined || resourceObject(e) === f['f.data.resource._object']) &&
        (f['f.type'] === undefined || e.type === f['f.type']) &&
        (f['f.id.gt'] === undefined || e.id > f['f.id.gt'])
      );
    });
    return paginate(matches, paging, requestUrl, (e) => e);
  }
}

function field(data: Record<string, unknown>, key: string, inner: string): unknown {
  const value = data[key];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[inner] : undefined;
}

/** Shipment events name their resource; PO events (order management data) carry the PO. */
function resourceObject(event: EventRecord): unknown {
  return field(event.data, 'resource', '_object') ?? field(event.data, 'purchase_order', '_object');
}
