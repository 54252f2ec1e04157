/**
 * The Flexport PO workflow: the shell (`core/po-shell.ts`) around its lifecycle reducer, fed
 * requests, provider results, webhook events (`core/event-intake.ts`) and deadlines; the commands
 * run one at a time (`core/command-queue.ts`, `commands.ts`), and an update waits for its own
 * commands. What a run does differently for a PO started on older code is its run profile.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import { reduce } from './lifecycle';
import { checkAmend, checkBook, checkCancel, checkClose } from './checks';
import { nextDeadlines } from './deadlines';
import { type Command, type LifecycleEvent, type PoState } from './state';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  providerEventSignal,
  providerEventsSignal,
  stateQuery,
  takeProviderEventsUpdate,
  type PoView,
} from './messages';
import { ProviderEvent } from './provider-event';
import { begin, bookingOrRefused, parsedOrRefused, withQuietCheck } from './inputs';
import { startAdopted, type AdoptionSnapshot } from './adoption';
import { deadlineSummary, publisher } from './ui';
import { notificationsFor } from './notifications';
import { runCommand } from './commands';
import { legacyLoop } from './legacy-loop';
import { CommandQueue, type Ticket } from '../core/command-queue';
import { requesterName, type Requester } from '../core/messages';
import { EventIntake, type IntakeCount } from '../core/event-intake';
import { PoShell } from '../core/po-shell';
import { onRequest, rejected } from '../core/po-requests';
import type { RunLimits } from '../core/run-budget';
import { runProfile, type RunProfile } from '../core/run-profile';
import { isTerminal } from '../core/status';
import type { PoSettingsInput } from '../core/settings';
import { now, refuseIf } from '../core/workflow-support';
import type { EventIdWindow } from '../core/event-id-window';
import type { OutboxMemory } from '../core/notification-outbox';

export interface PurchaseOrderWorkflowInput {
  /**
   * The PO as submitted (the v3 create body); checked again here, so a bad one never reaches the
   * provider.
   */
  po: unknown;
  settings?: PoSettingsInput;
  /** Set by continue-as-new: the lifecycle so far, the ids of applied provider events included. */
  resume?: PoState;
  /** Set by continue-as-new: the notifications not delivered yet, and the per-PO sequence. */
  outbox?: OutboxMemory;
  /**
   * Set for a PO poflow did not create: what the provider showed of it. `po` is then the PO as the
   * provider has it, and nothing is sent to the provider until an operator asks for a change.
   */
  adopted?: AdoptionSnapshot;
}

export async function purchaseOrderWorkflow(input: PurchaseOrderWorkflowInput): Promise<PoView> {
  const started = input.resume
    ? { state: resumed(input.resume), commands: [] }
    : input.adopted
      ? startAdopted(input.adopted, input.po, input.settings, now())
      : begin(input);
  const profile = runProfile(FLEXPORT_PATCHES);
  const publish = publisher();
  const shell = flexportShell(profiled(started.state, profile), profile, publish, input.outbox);
  const run = (command: Command) => runCommand(command, shell.state, apply, shell.outbox !== undefined);
  const queue = new CommandQueue<Command>(run, () => isTerminal(shell.state.status));
  /** Reduces one event and queues its commands (on the request's ticket, for an update). */
  const apply = (event: LifecycleEvent, ticket?: Ticket) => queue.push(shell.apply(event), ticket);
  const intake = new EventIntake(
    ProviderEvent,
    (event) => apply({ type: 'provider_event', at: now(), event }),
    {
      seenIds: started.state.seenEventIds,
      batched: profile.batchedIntake,
      budget: shell.budget,
    },
  );
  const view = (): PoView => poView(shell, intake.seen);

  /**
   * An operator's request: events signalled before it apply first, the rule is checked again on
   * the state they left, then the request waits for its own commands only.
   */
  const request: Request = (event, check) => {
    intake.drain();
    refuseIf(check());
    return queue.request((ticket) => apply(event, ticket));
  };

  setHandler(stateQuery, view);
  handleRequests(shell, request, view);
  setHandler(providerEventSignal, (raw) => intake.signal(raw));
  setHandler(providerEventsSignal, (raws) => intake.signalList(raws));
  onRequest(
    takeProviderEventsUpdate,
    (raws) => (Array.isArray(raws) ? undefined : 'events: expected a list of provider events'),
    (raws) => intake.update(raws),
  );

  publish(shell.state);
  queue.push(started.commands);
  const newRun = () => continueAsNew<typeof purchaseOrderWorkflow>(resumeInput(shell, intake.seen));
  if (profile.batchedIntake) {
    shell.sendNotifications();
    for (;;) {
      intake.drain();
      if (shell.outdated) shell.show();
      const { ended } = shell;
      if (ended && !queue.running) break;
      if (!queue.running && queue.length > 0) void queue.runAll();
      if (!queue.running && shell.readyForNewRun()) return newRun();
      const deadline = nextDeadlines(shell.state)[0];
      shell.followWakeUp(deadline?.at, () => deadlineSummary(shell.state, deadline!));
      const changed = shell.watchChanges();
      await condition(
        () =>
          intake.waiting ||
          changed() ||
          shell.timer.fired ||
          (!queue.running && (queue.length > 0 || ended || shell.readyForNewRun())),
      );
      if (shell.timer.fired) queue.push(shell.wokeUp({ type: 'deadline_reached', at: now() }));
    }
  } else {
    await legacyLoop(shell, queue, run, apply, newRun);
  }
  // Work queued behind the end (e.g. an amendment when the provider cancelled) is refused.
  queue.refuseAll(`Purchase order ${shell.state.name} is already ${shell.state.status}`);
  await condition(allHandlersFinished);
  intake.drain();
  shell.show();
  return view();
}

/** The shell around the reducer, the Web UI and (for POs started with them) the notifications. */
function flexportShell(
  initial: PoState,
  profile: FlexportRunProfile,
  publish: ReturnType<typeof publisher>,
  memory: OutboxMemory | undefined,
): FlexportShell {
  return new PoShell(
    initial,
    { reduce, notifications: notificationsFor, publish },
    {
      notify: profile.notifications ? { settings: initial.settings, memory } : undefined,
      limits: profile.batchedIntake ? RUN_LIMITS : undefined,
      // Older POs publish on every change (they have no deliveries to show).
      showEveryChange: !profile.batchedIntake,
    },
  );
}

/** Queues a request's event if `check` passes on the state of the moment; resolves with its refusal. */
type Request = (event: LifecycleEvent, check: () => string | undefined) => Promise<string | undefined>;

/** Amend, book, close and cancel: each refused by its validator, or checked again and queued. */
function handleRequests(shell: FlexportShell, request: Request, view: () => PoView): void {
  /** A close or cancel; when it waits behind writes, it answers once it is sent and answered. */
  async function end(ending: Ending, cause: string, check: () => string | undefined): Promise<PoView> {
    const refusal = await request({ type: ENDING_REQUESTS[ending], at: now(), cause }, check);
    if (shell.state.weighsOwnWrites) await endSettled(shell, ending, refusal);
    return view();
  }
  onRequest(
    amendUpdate,
    (raw, _requester?: Requester) => checkAmend(shell.state, parsedOrRefused(raw, shell.state)),
    async (raw, requester?: Requester) => {
      const po = parsedOrRefused(raw, shell.state);
      const by = requesterName(requester);
      await request({ type: 'amend_requested', at: now(), po, ...(by && { by }) }, () =>
        checkAmend(shell.state, po),
      );
      return view();
    },
  );
  onRequest(
    bookUpdate,
    (raw, _requester?: Requester) => checkBook(shell.state, bookingOrRefused(raw)),
    async (raw, requester?: Requester) => {
      const booking = bookingOrRefused(raw);
      const by = requesterName(requester);
      const refusal = await request({ type: 'book_requested', at: now(), booking, ...(by && { by }) }, () =>
        checkBook(shell.state, booking),
      );
      if (refusal) throw rejected(refusal);
      return view();
    },
  );
  const checkEnd = { closed: () => checkClose(shell.state), cancelled: () => checkCancel(shell.state) };
  onRequest(closeUpdate, checkEnd.closed, (requester) =>
    end('closed', `closed by ${requesterName(requester) ?? 'operator'}`, checkEnd.closed),
  );
  onRequest(cancelUpdate, checkEnd.cancelled, (reason, requester?: Requester) => {
    const by = requesterName(requester);
    const cause = reason
      ? `cancelled${by === undefined ? '' : ` by ${by}`}: ${reason}`
      : `cancelled by ${by ?? 'operator'}`;
    return end('cancelled', cause, checkEnd.cancelled);
  });
}

/**
 * The Flexport run profile (`core/run-profile.ts`): each field is a patch, asked in this order at
 * the start of every run.
 */
const FLEXPORT_PATCHES = {
  /** A PO nothing is heard of for its quiet hours is read back (`inputs.ts`, `withQuietCheck`). */
  quietCheck: { patch: 'quiet-po-fallback-read' },
  /** An operator's request waits for provider writes in flight (the reducer reads it off the state). */
  waitsForProviderCalls: { patch: 'requests-wait-for-provider-calls' },
  /** Provider events weighed against poflow's own writes: echoes, races, a refused auto-close (issue 26). */
  weighsOwnWrites: { patch: 'po-weighs-own-writes', after: 'waitsForProviderCalls' },
  /**
   * Signals buffered and drained by the main loop, one quiet deadline timer, the Web UI published
   * once per activation, the run's own continue-as-new limits. Without it: `legacy-loop.ts`.
   */
  batchedIntake: { patch: 'po-batched-intake' },
  /** Notifications and alerts through the outbox; without it, alerts are raised by the command queue. */
  notifications: { patch: 'po-notifications', after: 'batchedIntake' },
} as const;
type FlexportRunProfile = RunProfile<keyof typeof FLEXPORT_PATCHES>;

/** The state the run starts from, with the profile's flags the reducer reads. */
function profiled(state: PoState, profile: FlexportRunProfile): PoState {
  const { waitsForProviderCalls, weighsOwnWrites } = profile;
  // The applied event ids live in the intake's window, not in the state.
  return {
    ...withQuietCheck(state, profile.quietCheck),
    seenEventIds: [],
    waitsForProviderCalls,
    weighsOwnWrites,
  };
}

type FlexportShell = PoShell<PoState, LifecycleEvent, Command, IntakeCount>;

/**
 * A run's own limits. Events: the run's history (and so a replay after an eviction, or after a
 * continue-as-new the server refused because signals came in meanwhile) stays short. Signals: a
 * fifth of Temporal's 10,000 per history, leaving room for those that arrive while a provider call
 * holds the run open. Updates: half the server's default limit on updates in one run (2,000).
 */
const RUN_LIMITS: RunLimits<IntakeCount> = {
  historyEvents: 10_000,
  historyBytes: 10 * 1024 * 1024,
  counts: { events: 1_000, signals: 2_000, updates: 1_000 },
};

type Ending = 'closed' | 'cancelled';
const ENDING_REQUESTS = { closed: 'close_requested', cancelled: 'cancel_requested' } as const;

function poView(shell: FlexportShell, seen: EventIdWindow): PoView {
  const { state } = shell;
  return {
    ...state,
    seenEventIds: seen.ids(),
    nextDeadlines: nextDeadlines(state),
    ...shell.notifications(),
  };
}

/** A run continued as new: its accepted body is its PO where it was left out as the same. */
function resumed(resume: PoState): PoState {
  if (!resume.acceptedIsPo) return resume;
  const { acceptedIsPo: _same, ...state } = resume;
  return { ...state, acceptedPo: { ...state.po, status: 'open' } };
}

/**
 * The next run's input carries the PO once: `resume` alone (the input's `po` is read only at the
 * start), and the accepted body only where it differs from the PO (a refused amendment).
 */
function resumeInput(shell: FlexportShell, seen: EventIdWindow): PurchaseOrderWorkflowInput {
  const { state } = shell;
  const resume: PoState = { ...state, seenEventIds: seen.ids() };
  if (!state.weighsOwnWrites)
    return { po: resume.po, settings: resume.settings, resume, outbox: shell.outbox?.snapshot() };
  if (
    state.acceptedPo &&
    JSON.stringify(state.acceptedPo) === JSON.stringify({ ...state.po, status: 'open' })
  ) {
    resume.acceptedPo = undefined;
    resume.acceptedIsPo = true;
  }
  return { po: null, resume, outbox: shell.outbox?.snapshot() };
}

/**
 * A close or cancel queued behind writes in flight (or one already on its way) answers once it
 * has been sent and answered: refused with the provider's reason, or done (older POs answered
 * when it was queued).
 */
async function endSettled(shell: FlexportShell, ending: Ending, refusal: string | undefined): Promise<void> {
  const intent = ending === 'closed' ? 'close' : 'cancel';
  const onItsWay = shell.state.endRequested?.status === ending || shell.state.pending?.intent === intent;
  if (refusal === undefined && shell.state.weighsOwnWrites && onItsWay) {
    const since = now();
    await condition(() => isTerminal(shell.state.status) || !endOnItsWay(shell.state));
    const { status, lastError: error, name } = shell.state;
    if (isTerminal(status) && status !== ending) refusal = `Purchase order ${name} is already ${status}`;
    if (!isTerminal(status))
      refusal =
        error?.during === intent && error.at >= since
          ? error.message
          : `Purchase order ${name} was not ${ending}`;
  }
  if (refusal) throw rejected(refusal);
}

/** A close or cancel queued behind writes, or sent and not answered yet. */
function endOnItsWay(state: PoState): boolean {
  return (
    state.endRequested !== undefined ||
    state.pending?.intent === 'close' ||
    state.pending?.intent === 'cancel'
  );
}
