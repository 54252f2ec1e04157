// The workflow bundle's entry: every workflow the worker serves.
export { flxpointPurchaseOrderWorkflow } from './flxpoint/workflow';
export { pingWorkflow } from './ping';
export { purchaseOrderWorkflow } from './flexport/workflow';
export { eventReconcilerWorkflow } from './reconciler';
