/**
 * `poflow reconciler dead-letters`: the provider events the event reconciler gave up on (and those
 * it will try again), from its `reconcilerState` query. Ids, types, reasons and tries: the
 * reconciler keeps no payload, so none is shown.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import type { DeadLetter, FailedEvent } from '../../webhooks/reconciler/activities';
import type { Provider } from '../../workflows/core/choices';
import { reconcilerStateQuery, reconcilerWorkflowId, type ReconcilerState } from '../../workflows/reconciler';
import { table, workflowUiUrl } from '../format';
import { print, type Session } from '../session';

const QUERY_DEADLINE_MS = 15_000;

export async function listDeadLetters(session: Session, provider: Provider): Promise<void> {
  const workflowId = reconcilerWorkflowId(provider);
  let state: ReconcilerState;
  try {
    state = await session.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      session.client.workflow.getHandle(workflowId).query(reconcilerStateQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new Error(
        `no reconciler has run for ${provider} (workflow ${workflowId}): ` +
          'it starts with poflow start or poflow webhooks',
      );
    }
    throw new Error(
      `the reconciler ${workflowId} did not answer: its worker runs in poflow start or poflow webhooks`,
      { cause: err },
    );
  }
  const deadLetters = state.deadLetters ?? [];
  const retrying = state.retrying ?? [];
  const total = state.totals.deadLettered ?? deadLetters.length;
  const uiUrl = workflowUiUrl(session.config, workflowId);
  print(session, { provider, workflowId, total, deadLetters, retrying, uiUrl }, () => {
    const rows = (events: FailedEvent[], last: string) => [
      ['EVENT', 'TYPE', 'KIND', 'TRIES', last, 'REASON'],
      ...events.map((e) => [label(e), e.type ?? '-', e.kind, String(e.tries), e.lastTriedAt, e.reason]),
    ];
    const shown = deadLetters.length < total ? `the last ${deadLetters.length} of ${total}` : `${total}`;
    const lines = [
      ...(deadLetters.length ? [table(rows(deadLetters, 'DEAD-LETTERED'))] : []),
      `${shown} dead letter${total === 1 ? '' : 's'} at ${provider} ` +
        '(events the reconciler gave up on and moved past)',
      ...(retrying.length
        ? [
            '',
            table(rows(retrying, 'LAST TRIED')),
            `${retrying.length} failing event${retrying.length === 1 ? '' : 's'} to be tried again`,
          ]
        : []),
      ...(uiUrl ? [`Web UI: ${uiUrl}`] : []),
    ];
    return lines.join('\n');
  });
}

function label(event: FailedEvent | DeadLetter): string {
  return event.id !== undefined ? String(event.id) : event.key;
}
