/**
 * How the Flexport workflow carries out its reducer's commands: one provider call each, its answer
 * (or refusal) applied as the next event. Workflow code only.
 */
import { log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { now, PROVIDER_CALL, providerRefusal } from '../core/workflow-support';
import { type Command, type LifecycleEvent, type PoState } from './state';
import { commandSummary } from './ui';

type Activities = ReturnType<typeof createActivities>;

const activities = proxyActivities<Activities>(PROVIDER_CALL);

/**
 * A fallback read is a courtesy, not a write: it gives up after a quarter of an hour instead of
 * holding the PO's command queue through a long outage; the quiet check tries again later.
 */
const FALLBACK_READ: ActivityOptions = { ...PROVIDER_CALL, scheduleToCloseTimeout: '15 minutes' };

type SubmissionOrBook = Extract<LifecycleEvent, { type: 'provider_rejected' }>['during'];

/**
 * Runs one command; resolves with the provider's refusal, if any. `alertsByOutbox`: the
 * notification outbox raises alerts, so an `alert` command (from a PO started before it) does nothing.
 */
export async function runCommand(
  command: Command,
  state: PoState,
  apply: (event: LifecycleEvent) => void,
  alertsByOutbox: boolean,
): Promise<string | undefined> {
  const summary = commandSummary(state, command);
  function refused(err: unknown, during: SubmissionOrBook): string {
    const { status, message } = providerRefusal(err);
    apply({ type: 'provider_rejected', at: now(), during, status, message });
    return message;
  }
  switch (command.type) {
    case 'submit':
      try {
        const result = await activities.submitPurchaseOrder.executeWithOptions(
          { ...PROVIDER_CALL, summary },
          [{ intent: command.intent, body: command.body }],
        );
        apply({
          type: 'submission_accepted',
          at: now(),
          intent: command.intent,
          ...result,
          body: command.body,
        });
        return undefined;
      } catch (err) {
        return refused(err, command.intent);
      }
    case 'book':
      try {
        const booking = await activities.bookPurchaseOrder.executeWithOptions({ ...PROVIDER_CALL, summary }, [
          command.plan,
        ]);
        apply({ type: 'booking_created', at: now(), ...booking });
        return undefined;
      } catch (err) {
        return refused(err, 'book');
      }
    case 'alert':
      if (alertsByOutbox) return undefined;
      await activities.raiseAlert.executeWithOptions({ ...PROVIDER_CALL, summary }, [command.alert]);
      return undefined;
    case 'read':
      try {
        const snapshot = await activities.readPurchaseOrder.executeWithOptions(
          { ...FALLBACK_READ, summary },
          [command.read],
        );
        apply({ type: 'provider_snapshot', at: now(), snapshot });
      } catch (err) {
        log.warn('fallback read failed; the quiet check tries again later', { error: String(err) });
      }
      return undefined;
  }
}
