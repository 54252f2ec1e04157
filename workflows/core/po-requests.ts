/**
 * An operator's request to a PO, as both providers' workflows take it: an update whose validator
 * refuses what the rules forbid (nothing reaches the history), and the failure it answers with
 * when the provider (or the PO's own end) refused it after all. Workflow code only.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { FailureTypes } from './provider-failures';
import { refuseIf } from './workflow-support';

/** Sets the update's handler, with a validator that refuses the request when `refusal` says why. */
export function onRequest<Ret, Args extends unknown[]>(
  update: UpdateDefinition<Ret, Args>,
  refusal: (...args: NoInfer<Args>) => string | undefined,
  handler: (...args: NoInfer<Args>) => Ret | Promise<Ret>,
): void {
  setHandler(update, handler, { validator: (...args: Args) => refuseIf(refusal(...args)) });
}

/** The request was taken, then refused: by the provider (its own words) or by the PO's end. */
export function rejected(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.rejected, message, nonRetryable: true });
}
