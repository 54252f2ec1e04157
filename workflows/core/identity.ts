/** How a PO is named in Temporal, whichever its provider. Workflow-safe. */
import type { Provider } from './choices';

/** One workflow per provider and PO name: submitting the same PO twice never makes a second one. */
export function purchaseOrderWorkflowId(provider: Provider, name: string): string {
  return `po/${provider}/${name}`;
}
