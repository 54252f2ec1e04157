// The workflow bundle's entry: every workflow the worker serves.
export { flxpointPurchaseOrderWorkflow } from './flxpoint-purchase-order-workflow';
export { pingWorkflow } from './ping';
export { purchaseOrderWorkflow } from './purchase-order-workflow';
export { eventReconcilerWorkflow } from './reconciler';
