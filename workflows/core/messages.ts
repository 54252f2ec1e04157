/**
 * The messages every provider's PO workflow answers, defined once: clients address any PO by these
 * names, whichever its provider. Each provider types them with its own view (`poMessages<PoView>()`);
 * which of the updates a provider supports is in its capabilities (`core/provider.ts`). Workflow-safe.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * Who asked for a change, as the PO's history records it ("closed by erp-prod"): the HTTP API's
 * token name. Unset: an operator at the command line ("closed by operator").
 */
export interface Requester {
  by?: string;
}

export function poMessages<View>() {
  return {
    /** The whole lifecycle view. */
    stateQuery: defineQuery<View>('state'),
    /** A full replacement of the PO (its create body); answers the view once the provider has it. */
    amendUpdate: defineUpdate<View, [po: unknown, requester?: Requester]>('amend'),
    /** Cancel; the reason lands in the transition history. */
    cancelUpdate: defineUpdate<View, [reason: string | undefined, requester?: Requester]>('cancel'),
  };
}

/** The requester's name, if it is one: short text (anything else is taken as no name). */
export function requesterName(requester: Requester | undefined): string | undefined {
  const by = requester?.by;
  return typeof by === 'string' && by.trim() !== '' ? by.trim().slice(0, 100) : undefined;
}

export type PoMessages<View> = ReturnType<typeof poMessages<View>>;
