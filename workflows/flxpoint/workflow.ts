/**
 * The workflow shell around the Flxpoint reducer: it makes the Flxpoint calls the reducer asks
 * for, one request per activity on the rate-limited Flxpoint task queue, reads the PO's status on
 * a durable timer (Flxpoint pushes none), and keeps the search attributes and the Web UI's
 * current details in step. It answers the same `state`, `amend` and `cancel` messages as the
 * Flexport workflow.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
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
import { FailureTypes } from '../core/provider-failures';
import { DeadlineTimer } from '../core/deadline-timer';
import { startAdoptedFlxpoint, type FlxpointAdoptionSnapshot } from './adoption';
import { flxpointNotificationsFor } from './notifications';
import { FlxpointPurchaseOrder } from './purchase-order';
import { isTerminal } from '../core/status';
import {
  flxpointAmendUpdate,
  flxpointCancelUpdate,
  flxpointStateQuery,
  type FlxpointPoView,
} from './messages';
import { commandSummary, publisher } from './ui';
import { NotificationOutbox, type OutboxMemory } from '../core/notification-outbox';
import { NotificationSender } from '../core/notification-sender';
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
  let state: FlxpointPoState = {
    ...started.state,
    cancelReadsFlxpoint: patched('flxpoint-cancel-reads-flxpoint'),
  };
  /** Bumped on every change, so the main loop re-reads the polling schedule. */
  let revision = 0;
  const commands: FlxpointCommand[] = [...started.commands];
  const publish = publisher();
  /**
   * POs started before bounded runs replay as they ran: the polling timer restarted on every
   * change, continue-as-new only on Temporal's suggestion.
   */
  const bounded = patched(FLXPOINT_BOUNDED_RUNS);
  /** Notifications to the ERP and alerts to people; POs started before replay without them. */
  const outbox =
    bounded && patched(FLXPOINT_NOTIFICATIONS)
      ? new NotificationOutbox(workflowInfo().workflowId, state, notifySettings(input), input.outbox)
      : undefined;
  const sender = outbox && new NotificationSender(outbox);
  /** The outbox's revision the Web UI shows: the sender changes it while the PO waits or calls Flxpoint. */
  let shownOutbox = outbox?.revision;
  const outdated = () => outbox?.revision !== shownOutbox;
  function show(): void {
    publish(state, outbox?.view());
    shownOutbox = outbox?.revision;
  }
  let readsThisRun = 0;

  function apply(event: FlxpointEvent): void {
    const reduced = reduceFlxpoint(state, event);
    if (reduced.state !== state) {
      const dropped = outbox?.record(state, reduced.state, flxpointNotificationsFor(state, reduced.state, event.at, outbox.announced), event.at); // prettier-ignore
      if (dropped) log.warn('oldest undelivered notifications dropped', { dropped });
      state = reduced.state;
      revision += 1;
      show();
    }
    commands.push(...reduced.commands);
  }

  /** Runs one command: one Flxpoint request, its answer (or refusal) applied as an event. */
  async function run(command: FlxpointCommand): Promise<void> {
    const options = {
      ...PROVIDER_CALL,
      taskQueue: input.flxpointTaskQueue,
      summary: commandSummary(state, command),
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
          readsThisRun += 1;
          const po = await flxpoint.readFlxpointPurchaseOrder.executeWithOptions(options, [command.id]);
          return apply({ type: 'read', at: now(), po, answering: 'poll' });
        }
        case 'cancel': {
          const po = await flxpoint.cancelFlxpointPurchaseOrder.executeWithOptions(options, [command]);
          return apply({ type: 'read', at: now(), po, answering: 'cancel' });
        }
      }
    } catch (err) {
      const { status, message } = providerRefusal(err);
      apply({ type: 'refused', at: now(), during: command.type === 'adopt' ? 'create' : command.type, status, message }); // prettier-ignore
    }
  }

  setHandler(flxpointStateQuery, () => view(state, outbox));

  setHandler(
    flxpointAmendUpdate,
    async (raw) => {
      apply({ type: 'amend_requested', at: now(), po: requestOrRefused(raw) });
      await condition(() => state.pending === undefined || isTerminal(state.status));
      return view(state, outbox);
    },
    { validator: (raw) => refuseIf(checkFlxpointAmend(state, requestOrRefused(raw))) },
  );

  setHandler(
    flxpointCancelUpdate,
    async (reason) => {
      // The operator's words go to Flxpoint as the cancel reason, as they are.
      apply({ type: 'cancel_requested', at: now(), cause: reason || 'cancelled by operator' });
      // A create in flight is waited for: the cancel follows it to Flxpoint.
      await condition(
        () => isTerminal(state.status) || (!state.pending && state.cancelAfterCreate === undefined),
      );
      if (!isTerminal(state.status) && state.lastError?.during === 'cancel') {
        throw ApplicationFailure.create({ type: FailureTypes.rejected, message: state.lastError.message, nonRetryable: true }); // prettier-ignore
      }
      return view(state, outbox);
    },
    { validator: (_reason) => refuseIf(checkFlxpointCancel(state)) },
  );

  show();

  /** Temporal's suggestion, or (bounded runs) this PO's own limits: reads, history length and size. */
  function continueAsNewDue(): boolean {
    const info = workflowInfo();
    if (info.continueAsNewSuggested) return true;
    return (
      bounded &&
      (readsThisRun >= MAX_READS_PER_RUN ||
        info.historyLength >= MAX_HISTORY_EVENTS ||
        info.historySize >= MAX_HISTORY_BYTES)
    );
  }

  /** Not while a delivery is on its way: the next run would send it again. */
  function canContinueAsNew(): boolean {
    return continueAsNewDue() && !sender?.busy;
  }

  function resumeInput(): FlxpointPurchaseOrderWorkflowInput {
    return { ...input, po: state.po, resume: state, outbox: outbox?.snapshot() };
  }

  const timer = new DeadlineTimer();
  if (sender) void sender.run();
  while (!isTerminal(state.status)) {
    const command = commands.shift();
    if (command) {
      await run(command);
      continue;
    }
    if (canContinueAsNew()) {
      // Polling forever grows the history: start afresh once in-flight handlers are done.
      await condition(() => (allHandlersFinished() && !sender?.busy) || commands.length > 0);
      if (commands.length === 0) {
        return continueAsNew<typeof flxpointPurchaseOrderWorkflow>(resumeInput());
      }
      continue;
    }
    const seen = revision;
    const wake = () => commands.length > 0 || revision !== seen || outdated() || canContinueAsNew();
    const pollAt = nextPollAt(state);
    const alertAt = outbox?.deadline(state);
    const summary = () =>
      `read PO ${state.name}'s status at Flxpoint (last ${state.flxpointStatus}) at ${pollAt}`;
    if (bounded) {
      // One timer per read: a change that leaves the next read where it was keeps it running.
      if (alertAt && (!pollAt || alertAt < pollAt)) {
        timer.follow(alertAt, () => `needs-attention alert for PO ${state.name} at ${alertAt}`);
      } else {
        timer.follow(pollAt, summary);
      }
      await condition(() => wake() || timer.fired);
      if (outdated()) show();
      // A timer set before the read moved later fires early: it is followed again, not a read.
      if (timer.fired && pollAt && Date.now() >= Date.parse(pollAt)) apply({ type: 'poll_due', at: now() });
      if (timer.fired) outbox?.deadlineReached(state, now());
    } else if (!pollAt) {
      await condition(wake);
    } else {
      const wait = Math.max(Date.parse(pollAt) - Date.now(), 1);
      if (!(await condition(wake, wait, { summary: summary() }))) apply({ type: 'poll_due', at: now() });
    }
  }
  // A cancelled PO ends once it has told the ERP so; continue-as-new still works while it waits.
  while (outbox && !outbox.idle) {
    await condition(() => outdated() || (canContinueAsNew() && allHandlersFinished()));
    show();
    if (canContinueAsNew() && allHandlersFinished()) {
      return continueAsNew<typeof flxpointPurchaseOrderWorkflow>(resumeInput());
    }
  }
  await condition(allHandlersFinished);
  return view(state, outbox);
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
const MAX_READS_PER_RUN = 20;
const MAX_HISTORY_EVENTS = 2_000;
const MAX_HISTORY_BYTES = 2 * 1024 * 1024;

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

function view(state: FlxpointPoState, outbox: NotificationOutbox | undefined): FlxpointPoView {
  return outbox ? { ...state, notifications: outbox.view() } : state;
}

function requestOrRefused(raw: unknown): FlxpointPurchaseOrder {
  const parsed = parseWith(FlxpointPurchaseOrder, raw);
  if (parsed.ok) return parsed.value;
  throw purchaseOrderRejected(parsed.issues);
}
