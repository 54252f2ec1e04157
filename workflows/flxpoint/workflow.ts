/**
 * The workflow shell around the Flxpoint reducer: it makes the Flxpoint calls the reducer asks
 * for, one request per activity on the rate-limited Flxpoint task queue, reads the PO's status on
 * a durable timer (Flxpoint pushes none), and keeps the search attributes and the Web UI's
 * current details in step. It answers the same `state`, `amend` and `cancel` messages as the
 * Flexport workflow. What a run does differently for a PO started on older code is its run profile.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
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
import { requesterName, type Requester } from '../core/messages';
import { PoShell } from '../core/po-shell';
import { onRequest, rejected } from '../core/po-requests';
import type { RunLimits } from '../core/run-budget';
import { runProfile, type RunProfile } from '../core/run-profile';
import { isTerminal } from '../core/status';
import type { OutboxMemory } from '../core/notification-outbox';
import type { NotifySettings } from '../core/notifications';
import { parseWith } from '../core/parsing';
import { PoSettings, type PoSettingsInput } from '../core/settings';
import { now, PROVIDER_CALL, providerRefusal, purchaseOrderRejected } from '../core/workflow-support';

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
  const started = input.resume ? { state: input.resume, commands: [] } : begin(input);
  const profile = runProfile(FLXPOINT_PATCHES);
  const shell = flxpointShell(started.state, profile, input);
  const commands: FlxpointCommand[] = [...started.commands];
  const apply = (event: FlxpointEvent) => void commands.push(...shell.apply(event));
  const view = (): FlxpointPoView => ({ ...shell.state, ...shell.notifications() });

  setHandler(flxpointStateQuery, view);
  /*
   * An update waits for the state to settle rather than for its own commands (the Flexport
   * workflow's tickets): tickets would complete it at another point of its history.
   */
  onRequest(
    flxpointAmendUpdate,
    (raw, _requester?: Requester) => checkFlxpointAmend(shell.state, requestOrRefused(raw)),
    async (raw, requester?: Requester) => {
      const by = requesterName(requester);
      apply({ type: 'amend_requested', at: now(), po: requestOrRefused(raw), ...(by && { by }) });
      await condition(() => shell.state.pending === undefined || isTerminal(shell.state.status));
      return view();
    },
  );
  onRequest(
    flxpointCancelUpdate,
    () => checkFlxpointCancel(shell.state),
    async (reason, requester?: Requester) => {
      // The operator's words go to Flxpoint as the cancel reason, as they are.
      const cause = reason || `cancelled by ${requesterName(requester) ?? 'operator'}`;
      apply({ type: 'cancel_requested', at: now(), cause });
      // A create in flight is waited for: the cancel follows it to Flxpoint.
      await condition(() => isTerminal(shell.state.status) || cancelSettled(shell.state));
      const { status, lastError } = shell.state;
      if (!isTerminal(status) && lastError?.during === 'cancel') throw rejected(lastError.message);
      return view();
    },
  );

  shell.show();
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
      await runCommand(command, shell, apply, input.flxpointTaskQueue);
      continue;
    }
    if (shell.newRunDue) {
      // Polling forever grows the history: start afresh once in-flight handlers are done.
      await condition(() => (allHandlersFinished() && !shell.deliveryInFlight) || commands.length > 0);
      if (commands.length === 0) return newRun();
      continue;
    }
    const seen = shell.revision;
    const wake = () => commands.length > 0 || shell.revision !== seen || shell.outdated || shell.newRunDue;
    const pollAt = nextPollAt(shell.state);
    const summary = () => pollSummary(shell.state, pollAt);
    if (profile.boundedRuns) {
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
  while (shell.undelivered) {
    await condition(() => shell.outdated || shell.readyForNewRun());
    shell.show();
    if (shell.readyForNewRun()) return newRun();
  }
  await condition(allHandlersFinished);
  return view();
}

/**
 * The Flxpoint run profile (`core/run-profile.ts`): each field is a patch, asked in this order at
 * the start of every run.
 */
const FLXPOINT_PATCHES = {
  /**
   * A cancel goes by the PO as Flxpoint has it: none for a PO Flxpoint ended, a refused one read
   * back (the reducer reads it off the state).
   */
  cancelReadsFlxpoint: { patch: 'flxpoint-cancel-reads-flxpoint' },
  /**
   * A cancel goes by what Flxpoint answers the call in flight: one during the create or a read
   * waits for its answer, one after a create refused on a retry looks the number up (state, too).
   */
  cancelChecksFlxpoint: { patch: 'flxpoint-cancel-checks-flxpoint' },
  /**
   * One polling timer, followed rather than restarted on every change, and the run's own
   * continue-as-new limits. Without it: a timer per wait, continue-as-new on Temporal's suggestion.
   */
  boundedRuns: { patch: 'flxpoint-bounded-runs' },
  /** Notifications to the ERP and alerts to people (the Flexport PO's outbox). */
  notifications: { patch: 'flxpoint-notifications', after: 'boundedRuns' },
} as const;
type FlxpointRunProfile = RunProfile<keyof typeof FLXPOINT_PATCHES>;

type FlxpointShell = PoShell<FlxpointPoState, FlxpointEvent, FlxpointCommand, 'reads'>;

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

/** The options of each call are given with it: the task queue is the PO's input. */
const flxpoint = proxyActivities<FlxpointActivities>(PROVIDER_CALL);

/** The shell around the reducer and (for POs started with them) the notifications. */
function flxpointShell(
  state: FlxpointPoState,
  profile: FlxpointRunProfile,
  input: FlxpointPurchaseOrderWorkflowInput,
): FlxpointShell {
  // The reducer reads the cancel patches off the state.
  const { cancelReadsFlxpoint, cancelChecksFlxpoint } = profile;
  return new PoShell(
    { ...state, cancelReadsFlxpoint, cancelChecksFlxpoint },
    {
      reduce: reduceFlxpoint,
      notifications: (previous, reduced, event, announced) =>
        flxpointNotificationsFor(previous, reduced.state, event.at, announced),
      publish: publisher(),
    },
    {
      notify: profile.notifications ? { settings: notifySettings(input), memory: input.outbox } : undefined,
      limits: profile.boundedRuns ? RUN_LIMITS : undefined,
      // Every change is shown at once (the sender's changes when the main loop wakes).
      showEveryChange: true,
    },
  );
}

/** Runs one command: one Flxpoint request, its answer (or refusal) applied as an event. */
async function runCommand(
  command: FlxpointCommand,
  shell: FlxpointShell,
  apply: (event: FlxpointEvent) => void,
  taskQueue: string,
): Promise<void> {
  const options = { ...PROVIDER_CALL, taskQueue, summary: commandSummary(shell.state, command) };
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

/** The cancel has its answer: nothing in flight, no create to follow to Flxpoint. */
function cancelSettled(state: FlxpointPoState): boolean {
  return !state.pending && state.cancelAfterCreate === undefined;
}

/** The polling timer's summary in the Web UI. */
function pollSummary(state: FlxpointPoState, pollAt: string | undefined): string {
  return `read PO ${state.name}'s status at Flxpoint (last ${state.flxpointStatus}) at ${pollAt}`;
}

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
