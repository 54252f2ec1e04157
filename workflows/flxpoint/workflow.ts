/**
 * The workflow shell around the Flxpoint reducer: it makes the Flxpoint calls the reducer asks
 * for, one request per activity on the rate-limited Flxpoint task queue, reads the PO's status on
 * a durable timer (Flxpoint pushes none), and keeps the search attributes and the Web UI's
 * current details in step. It answers the same `state`, `amend` and `cancel` messages as the
 * Flexport workflow.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { FlxpointActivities } from '../../activities';
import {
  checkFlxpointAmend,
  checkFlxpointCancel,
  nextPollAt,
  reduceFlxpoint,
  startFlxpointLifecycle,
  type FlxpointCommand,
  type FlxpointEvent,
  type FlxpointPoState,
} from './lifecycle';
import { startAdoptedFlxpoint, type FlxpointAdoptionSnapshot } from './adoption';
import { flxpointNotificationsFor } from './notifications';
import { FlxpointPurchaseOrder } from './purchase-order';
import {
  flxpointAmendUpdate,
  flxpointCancelUpdate,
  flxpointStateQuery,
  type FlxpointPoView,
} from './messages';
import { commandSummary, publisher } from './ui';
import { PoShell } from '../core/po-shell';
import type { RunLimits } from '../core/run-budget';
import { FailureTypes } from '../core/provider-failures';
import { isTerminal } from '../core/status';
import type { OutboxMemory } from '../core/notification-outbox';
import type { NotifySettings } from '../core/notifications';
import { parseWith } from '../core/parsing';
import { PoSettings, type PoSettingsInput } from '../core/settings';
import {
  now,
  PROVIDER_CALL,
  providerRefusal,
  purchaseOrderRejected,
  refuseIf,
} from '../core/workflow-support';

export interface FlxpointPurchaseOrderWorkflowInput {
  /** Flxpoint's create request; checked again here, so a bad one never reaches Flxpoint. */
  po: unknown;
  settings?: PoSettingsInput;
  /** The rate-limited queue the Flxpoint activities run on (`FLXPOINT_TASK_QUEUE`), set by the client. */
  flxpointTaskQueue: string;
  /** Set by continue-as-new: the lifecycle so far. */
  resume?: FlxpointPoState;
  /** A PO made at Flxpoint, adopted as Flxpoint showed it: nothing is created. */
  adopted?: FlxpointAdoptionSnapshot;
  /** Set by continue-as-new: the notifications not delivered yet, and the per-PO sequence. */
  outbox?: OutboxMemory;
}

export async function flxpointPurchaseOrderWorkflow(
  input: FlxpointPurchaseOrderWorkflowInput,
): Promise<FlxpointPoView> {
  const flxpoint = proxyActivities<FlxpointActivities>({
    ...PROVIDER_CALL,
    taskQueue: input.flxpointTaskQueue,
  });
  const started = input.resume ? { state: input.resume, commands: [] } : begin(input);
  // A cancel goes by the PO as Flxpoint has it; POs started before replay as they ran.
  const initial: FlxpointPoState = {
    ...started.state,
    cancelReadsFlxpoint: patched('flxpoint-cancel-reads-flxpoint'),
    cancelChecksFlxpoint: patched('flxpoint-cancel-checks-flxpoint'),
  };
  const commands: FlxpointCommand[] = [...started.commands];
  const publish = publisher();
  /**
   * POs started before bounded runs replay as they ran: the polling timer restarted on every
   * change, continue-as-new only on Temporal's suggestion.
   */
  const bounded = patched(FLXPOINT_BOUNDED_RUNS);
  /** Notifications to the ERP and alerts to people; POs started before replay without them. */
  const shell: PoShell<FlxpointPoState, FlxpointEvent, FlxpointCommand, 'reads'> = new PoShell(
    initial,
    {
      reduce: reduceFlxpoint,
      notifications: (previous, reduced, event, announced) =>
        flxpointNotificationsFor(previous, reduced.state, event.at, announced),
      publish,
      // Every change is shown at once (the sender's changes when the main loop wakes).
      changed: () => shell.show(),
    },
    {
      notify:
        bounded && patched(FLXPOINT_NOTIFICATIONS)
          ? { settings: notifySettings(input), memory: input.outbox }
          : undefined,
      limits: bounded ? RUN_LIMITS : undefined,
    },
  );
  const view = (): FlxpointPoView => ({ ...shell.state, ...shell.notifications() });

  function apply(event: FlxpointEvent): void {
    commands.push(...shell.apply(event));
  }

  /** Runs one command: one Flxpoint request, its answer (or refusal) applied as an event. */
  async function run(command: FlxpointCommand): Promise<void> {
    const options = {
      ...PROVIDER_CALL,
      taskQueue: input.flxpointTaskQueue,
      summary: commandSummary(shell.state, command),
    };
    try {
      switch (command.type) {
        case 'create': {
          const created = await flxpoint.createFlxpointPurchaseOrder.executeWithOptions(options, [
            command.body,
          ]);
          return apply(
            created.outcome === 'created'
              ? { type: 'created', at: now(), po: created.po, adopted: false }
              : { type: 'number_in_use', at: now() },
          );
        }
        case 'adopt': {
          const po = await flxpoint.adoptFlxpointPurchaseOrder.executeWithOptions(options, [command.body]);
          return apply({ type: 'created', at: now(), po, adopted: true });
        }
        case 'read': {
          shell.budget.take('reads');
          const po = await flxpoint.readFlxpointPurchaseOrder.executeWithOptions(options, [command.id]);
          return apply({ type: 'read', at: now(), po, answering: 'poll' });
        }
        case 'find': {
          const po = await flxpoint.findFlxpointPurchaseOrder.executeWithOptions(options, [command.body]);
          return apply({ type: 'found', at: now(), po: po ?? undefined });
        }
        case 'cancel': {
          const po = await flxpoint.cancelFlxpointPurchaseOrder.executeWithOptions(options, [command]);
          return apply({ type: 'read', at: now(), po, answering: 'cancel' });
        }
      }
    } catch (err) {
      const { status, message } = providerRefusal(err);
      const during = command.type === 'adopt' ? 'create' : command.type === 'find' ? 'read' : command.type;
      // After a 409 something holds the number; a create refused on a retry may have got through before.
      const mayHaveLanded = command.type === 'adopt' || (command.type === 'create' && refusedOnRetry(err));
      apply({
        type: 'refused',
        at: now(),
        during,
        status,
        message,
        ...(mayHaveLanded ? { mayHaveLanded } : {}),
      });
    }
  }

  setHandler(flxpointStateQuery, view);

  /*
   * An update waits for the state to settle rather than for its own commands (the Flexport
   * workflow's tickets): tickets would complete it at another point of its history.
   */
  setHandler(
    flxpointAmendUpdate,
    async (raw) => {
      apply({ type: 'amend_requested', at: now(), po: requestOrRefused(raw) });
      await condition(() => shell.state.pending === undefined || isTerminal(shell.state.status));
      return view();
    },
    { validator: (raw) => refuseIf(checkFlxpointAmend(shell.state, requestOrRefused(raw))) },
  );

  setHandler(
    flxpointCancelUpdate,
    async (reason) => {
      // The operator's words go to Flxpoint as the cancel reason, as they are.
      apply({ type: 'cancel_requested', at: now(), cause: reason || 'cancelled by operator' });
      // A create in flight is waited for: the cancel follows it to Flxpoint.
      const settled = () => !shell.state.pending && shell.state.cancelAfterCreate === undefined;
      await condition(() => isTerminal(shell.state.status) || settled());
      const { state } = shell;
      if (!isTerminal(state.status) && state.lastError?.during === 'cancel') {
        throw ApplicationFailure.create({
          type: FailureTypes.rejected,
          message: state.lastError.message,
          nonRetryable: true,
        });
      }
      return view();
    },
    { validator: (_reason) => refuseIf(checkFlxpointCancel(shell.state)) },
  );

  shell.show();

  const canContinueAsNew = () => shell.newRunDue;

  const newRun = () =>
    continueAsNew<typeof flxpointPurchaseOrderWorkflow>({
      ...input,
      po: shell.state.po,
      resume: shell.state,
      outbox: shell.outbox?.snapshot(),
    });

  shell.sendNotifications();
  while (!isTerminal(shell.state.status)) {
    const command = commands.shift();
    if (command) {
      await run(command);
      continue;
    }
    if (canContinueAsNew()) {
      // Polling forever grows the history: start afresh once in-flight handlers are done.
      await condition(() => (allHandlersFinished() && !shell.deliveryInFlight) || commands.length > 0);
      if (commands.length === 0) return newRun();
      continue;
    }
    const seen = shell.revision;
    const wake = () => commands.length > 0 || shell.revision !== seen || shell.outdated || canContinueAsNew();
    const pollAt = nextPollAt(shell.state);
    const summary = () =>
      `read PO ${shell.state.name}'s status at Flxpoint (last ${shell.state.flxpointStatus}) at ${pollAt}`;
    if (bounded) {
      // One timer per read: a change that leaves the next read where it was keeps it running.
      shell.followWakeUp(pollAt, summary);
      await condition(() => wake() || shell.timer.fired);
      if (shell.outdated) shell.show();
      // A timer set before the read moved later fires early: it is followed again, not a read.
      const due = pollAt !== undefined && Date.now() >= Date.parse(pollAt);
      if (shell.timer.fired)
        commands.push(...shell.wokeUp(due ? { type: 'poll_due', at: now() } : undefined));
    } else if (!pollAt) {
      await condition(wake);
    } else {
      // POs started before bounded runs: a timer per wait, restarted on every change.
      const wait = Math.max(Date.parse(pollAt) - Date.now(), 1);
      if (!(await condition(wake, wait, { summary: summary() }))) apply({ type: 'poll_due', at: now() });
    }
  }
  // A cancelled PO ends once it has told the ERP so; continue-as-new still works while it waits.
  while (shell.outbox && !shell.outbox.idle) {
    await condition(() => shell.outdated || (canContinueAsNew() && allHandlersFinished()));
    shell.show();
    if (canContinueAsNew() && allHandlersFinished()) return newRun();
  }
  await condition(allHandlersFinished);
  return view();
}

/** The patch that brought the one polling timer and the run's own continue-as-new limits. */
const FLXPOINT_BOUNDED_RUNS = 'flxpoint-bounded-runs';
/** The patch that brought notifications to the ERP and alerts to people (the Flexport PO's outbox). */
const FLXPOINT_NOTIFICATIONS = 'flxpoint-notifications';
/**
 * A run's own limits, so that a PO evicted from the worker's cache replays a short history: about
 * eight history events per read, under two hundred in a run (on the default schedule, 20 reads are
 * a PO's first 14 hours, then most of a day).
 */
const RUN_LIMITS: RunLimits<'reads'> = {
  historyEvents: 2_000,
  historyBytes: 2 * 1024 * 1024,
  counts: { reads: 20 },
};

function begin(input: FlxpointPurchaseOrderWorkflowInput) {
  if (input.adopted) return startAdoptedFlxpoint(input.adopted, input.po, input.settings, now());
  const po = parseWith(FlxpointPurchaseOrder, input.po);
  const settings = parseWith(PoSettings, input.settings ?? { provider: 'flxpoint' });
  if (!po.ok || !settings.ok) {
    throw purchaseOrderRejected([...(po.ok ? [] : po.issues), ...(settings.ok ? [] : settings.issues)]);
  }
  return startFlxpointLifecycle(po.value, settings.value, now());
}

/** Who hears of the PO: its settings as submitted (continue-as-new carries them in the input). */
function notifySettings(input: FlxpointPurchaseOrderWorkflowInput): NotifySettings {
  const settings = parseWith(PoSettings, input.settings ?? { provider: 'flxpoint' });
  return settings.ok ? settings.value : {};
}

/** The activity's refusal came on a retry (activities/flxpoint/activities.ts puts the attempt in). */
function refusedOnRetry(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const details =
    cause instanceof ApplicationFailure
      ? (cause.details?.[0] as { attempt?: unknown } | undefined)
      : undefined;
  return typeof details?.attempt === 'number' && details.attempt > 1;
}

function requestOrRefused(raw: unknown): FlxpointPurchaseOrder {
  const parsed = parseWith(FlxpointPurchaseOrder, raw);
  if (parsed.ok) return parsed.value;
  throw purchaseOrderRejected(parsed.issues);
}
