/**
 * What a provider is, on the workflow side of the bundle boundary: its PO body, its messages and
 * what it can do. Each provider describes itself once (`workflows/<provider>/provider.ts`) and
 * `workflows/providers.ts` registers it; code that asks "which provider?" looks it up there
 * instead of comparing names. Workflow-safe.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Provider } from './choices';
import type { PoMessages } from './messages';
import type { Parsed } from './parsing';

/** A capability the provider has, or why it has not (said to the user as the reason of a refusal). */
export type Capability = true | { refused: string };

export interface ProviderCapabilities {
  /** Bookings against the PO (`book`). */
  book: Capability;
  /** Closing the PO (`close`, and auto-close). */
  close: Capability;
  /** Listing the provider's POs to adopt them all (`adopt --all`). */
  adoptAll: Capability;
  /** POs from an ERP's CSV export (`import file.csv`). */
  csvImport: Capability;
  /** Pushes its changes as webhooks (and keeps an event log the reconciler walks). */
  webhooks: Capability;
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

export interface ProviderWorkflowSide<Po, View, P extends Provider = Provider> {
  provider: P;
  /** As people write it: "Flexport". */
  label: string;
  body: ProviderPoBody<Po>;
  /** `state`, `amend` and `cancel`, typed with this provider's view (`amend`'s meaning: `amendment`). */
  messages: PoMessages<View>;
  /** What `amend` does at this provider, said in help and refusals. */
  amendment: string;
  capabilities: ProviderCapabilities;
  /** The search attributes of a PO just submitted (status `submitting`) or adopted in `status`. */
  searchAttributes(po: Po, status: View extends { status: infer S } ? S : never): SearchAttributeUpdatePair[];
}

/** The reason a provider lacks a capability, or undefined when it has it. */
export function refusalOf(capability: Capability): string | undefined {
  return capability === true ? undefined : capability.refused;
}
