/**
 * Starting a PO's workflow once: whichever provider, whoever starts it (a submission, an import,
 * an adoption), a PO name has one workflow per provider, ever.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  WorkflowIdReusePolicy,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';
import type { PoSettings } from '../workflows/core/settings';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';

/** The task queue every PO workflow runs on (and the activities of providers without their own). */
export const TASK_QUEUE = 'poflow';

export interface StartedPurchaseOrder {
  /** The PO's name at its provider, as validated. */
  name: string;
  workflowId: string;
  /** True when this PO already has a workflow (running or finished): nothing new was started. */
  alreadyStarted: boolean;
  runId?: string;
}

export interface StartOptions {
  taskQueue: string;
  workflowId: string;
  workflowIdReusePolicy: WorkflowIdReusePolicy;
  typedSearchAttributes: SearchAttributePair[];
}

/** Starts the PO's workflow unless it has one already (running or finished). */
export async function startOnce(
  client: Client,
  name: string,
  workflowId: string,
  searchAttributes: SearchAttributeUpdatePair[],
  start: (options: StartOptions) => Promise<{ firstExecutionRunId: string }>,
): Promise<StartedPurchaseOrder> {
  try {
    const handle = await start({
      taskQueue: TASK_QUEUE,
      workflowId,
      // A PO name is used once per provider, ever: a second submission is the same PO.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: settableAttributes(searchAttributes),
    });
    return { name, workflowId, alreadyStarted: false, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { name, workflowId, alreadyStarted: true };
    throw err;
  }
}

/** The attributes a start can set: an absent value (`null`) is only for removing one. */
export function settableAttributes(searchAttributes: SearchAttributeUpdatePair[]): SearchAttributePair[] {
  return searchAttributes.filter((pair): pair is SearchAttributePair => pair.value !== null);
}

export type AdoptionOutcome = 'adopted' | 'already_followed' | 'refused';

export interface AdoptionResult {
  name: string;
  workflowId: string;
  outcome: AdoptionOutcome;
  /** Why a PO was refused. */
  reason?: string;
  /** The status it was adopted in. */
  status?: string;
  /** The provider's own status, where it differs from poflow's (Flxpoint's handle). */
  providerStatus?: string;
}

/** `already_followed` when the PO has a workflow (running or ended), so nothing needs reading. */
export async function followedAlready(
  client: Client,
  name: string,
  settings: PoSettings,
): Promise<AdoptionResult | undefined> {
  const workflowId = purchaseOrderWorkflowId(settings.provider, name);
  if (await hasWorkflow(client, workflowId)) return { name, workflowId, outcome: 'already_followed' };
  return undefined;
}

async function hasWorkflow(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
