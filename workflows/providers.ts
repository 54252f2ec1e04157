/**
 * The providers, on the workflow side: one line each. A provider in `PROVIDERS` without its line
 * here is a compile error (each entry is typed where it is defined). The host side (clients,
 * activities, task queues, CLI formatting) is registered in `providers/index.ts`.
 */
import type { Provider } from './core/choices';
import type { ProviderCapabilities } from './core/provider';
import { flexportWorkflowSide } from './flexport/provider';
import { flxpointWorkflowSide } from './flxpoint/provider';

export const PROVIDER_WORKFLOWS = {
  flexport: flexportWorkflowSide,
  flxpoint: flxpointWorkflowSide,
} as const satisfies { [P in Provider]: { provider: P; capabilities: ProviderCapabilities } };

export type ProviderWorkflows = typeof PROVIDER_WORKFLOWS;
