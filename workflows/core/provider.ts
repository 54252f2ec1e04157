/**
 * What a provider is, on the workflow side of the bundle boundary: its PO body, its messages and
 * what it can do. Each provider describes itself once (`workflows/<provider>/provider.ts`) and
 * `workflows/providers.ts` registers it; code that asks "which provider?" looks it up there
 * instead of comparing names. Workflow-safe.
 */
import type { SearchAttributeUpdatePair, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { Provider } from './choices';
import type { PoMessages } from './messages';
import type { Parsed } from './parsing';

/** A capability the provider has, or why it has not (said to the user as the reason of a refusal). */
export type Capability = true | { refused: string };

/** How the events a provider pushes reach a PO's workflow (the webhook delivery sends them). */
export interface EventMessages<Event> {
  /** One event. */
  eventSignal: SignalDefinition<[event: Event]>;
  /** Several events at once, when they pile up for one PO. */
  eventsSignal: SignalDefinition<[events: Event[]]>;
  /** The same, answered once the PO has taken them in (with how many were well-formed). */
  takeEventsUpdate: UpdateDefinition<number, [events: Event[]]>;
}

export interface ProviderCapabilities<Event = unknown> {
  /** Bookings against the PO (`book`). */
  book: Capability;
  /** Closing the PO (`close`, and auto-close). */
  close: Capability;
  /** POs from an ERP's CSV export (`import file.csv`). */
  csvImport: Capability;
  /**
   * Pushes its changes as webhooks (to `/webhooks/<provider>`, and keeps an event log the
   * reconciler walks): the messages that hand them to a PO.
   */
  webhooks: EventMessages<Event> | { refused: string };
  /** Has its POs read on a schedule (`settings.poll`), as it pushes nothing. */
  polling: Capability;
  /** Reading a PO nothing was heard of for a while (`settings.quietCheckHours`). */
  quietCheck: Capability;
}

/** A provider's PO create body: the fields that name the PO and list its lines, and its schema. */
export interface ProviderPoBody<Po> {
  /** Flexport's `name`, Flxpoint's `purchaseOrderNumber`: the PO's name and its workflow id. */
  nameField: string;
  linesField: string;
  /**
   * The schema's verdict; `createdOn` is the day the PO is made, for providers whose dates may not
   * be before it (unset: those rules are left to the workflow, which knows its own creation day).
   */
  parse(raw: unknown, createdOn?: string): Parsed<Po>;
  nameOf(po: Po): string;
  linesOf(po: Po): readonly unknown[];
}

export interface ProviderWorkflowSide<Po, View, P extends Provider = Provider, Event = never> {
  provider: P;
  /** As people write it: "Flexport". */
  label: string;
  body: ProviderPoBody<Po>;
  /** `state`, `amend` and `cancel`, typed with this provider's view (`amend`'s meaning: `amendment`). */
  messages: PoMessages<View>;
  /** What `amend` does at this provider, said in help and refusals. */
  amendment: string;
  capabilities: ProviderCapabilities<Event>;
  /** The search attributes of a PO just submitted (status `submitting`) or adopted in `status`. */
  searchAttributes(po: Po, status: View extends { status: infer S } ? S : never): SearchAttributeUpdatePair[];
}

/** The reason a provider lacks a capability, or undefined when it has it. */
export function capabilityRefusal(capability: true | object): string | undefined {
  return 'refused' in Object(capability) ? (capability as { refused: string }).refused : undefined;
}
