// The workflow bundle's entry: every workflow the worker serves.
export { pingWorkflow } from './ping';
