/**
 * A run's profile: what this run of a PO does the way its history says it ran, one `patched()`
 * decision a field, named for what it means for the run. Workflow code only.
 *
 * `patched()` is not a pure read: the first call records the patch's marker in the history (on a
 * new run), and on replay it answers from the markers recorded. So each workflow builds its profile
 * once, at the top of the run, after its input is parsed and before any other command, asking the
 * patches in the order its table lists them, as it always has. A patch listed with `after` is asked
 * only when that earlier one is in (false otherwise), as its workflow always asked it: a PO without
 * the earlier patch never recorded the later one's marker.
 */
import { patched } from '@temporalio/workflow';

export interface ProfilePatch<F extends string> {
  patch: string;
  /** Asked only when this earlier field of the profile is true. */
  after?: F;
}

export type RunProfile<F extends string> = Readonly<Record<F, boolean>>;

/** Asks each patch once, in the table's order. */
export function runProfile<F extends string>(
  patches: Readonly<Record<F, ProfilePatch<NoInfer<F>>>>,
): RunProfile<F> {
  const profile = {} as Record<F, boolean>;
  for (const field in patches) {
    const { patch, after } = patches[field];
    profile[field] = (after === undefined || profile[after]) && patched(patch);
  }
  return profile;
}
