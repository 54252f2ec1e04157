// The workflow bundle's entry: every workflow the worker serves.
export { pingWorkflow } from './ping';
export { purchaseOrderWorkflow } from './purchase-order-workflow';
export { eventReconcilerWorkflow } from './reconciler';
