/**
 * The messages every provider's PO workflow answers, defined once: clients address any PO by these
 * names, whichever its provider. Each provider types them with its own view (`poMessages<PoView>()`);
 * which of the updates a provider supports is in its capabilities (`core/provider.ts`). Workflow-safe.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export function poMessages<View>() {
  return {
    /** The whole lifecycle view. */
    stateQuery: defineQuery<View>('state'),
    /** A full replacement of the PO (its create body); answers the view once the provider has it. */
    amendUpdate: defineUpdate<View, [po: unknown]>('amend'),
    /** Cancel; the reason lands in the transition history. */
    cancelUpdate: defineUpdate<View, [reason: string | undefined]>('cancel'),
  };
}

export type PoMessages<View> = ReturnType<typeof poMessages<View>>;
