/**
 * The Flexport PO workflow: the shell (`core/po-shell.ts`) around its lifecycle reducer, fed
 * requests, provider results, webhook events and deadlines; the commands run one at a time
 * (`core/command-queue.ts`, `commands.ts`), and an update waits for its own commands.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
} from '@temporalio/workflow';
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
import { continueAsNewDue, PoShell, type RunLimits } from '../core/po-shell';
import { isTerminal } from '../core/status';
import type { PoSettingsInput } from '../core/settings';
import { now, refuseIf } from '../core/workflow-support';
import { FailureTypes } from '../core/provider-failures';
import { EventIdWindow } from '../core/event-id-window';
import type { OutboxMemory } from '../core/notification-outbox';

export interface PurchaseOrderWorkflowInput {
  /** The PO as submitted (the v3 create body); checked again here, so a bad one never reaches the provider. */
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
  let initial = withQuietCheck(started.state, patched('quiet-po-fallback-read'));
  // Requests wait for provider writes in flight; POs started before replay as they ran.
  initial = { ...initial, waitsForProviderCalls: patched('requests-wait-for-provider-calls') };
  // Provider events weighed against poflow's own writes (echoes, races, refused auto-close); older POs replay as they ran.
  initial = { ...initial, weighsOwnWrites: initial.waitsForProviderCalls && patched(WEIGHS_OWN_WRITES) };
  /**
   * POs started before batched intake replay the way they ran: each signal reduced in its handler,
   * the deadline timer restarted on every change, search attributes published per change.
   */
  const batched = patched(BATCHED_INTAKE);
  const publish = publisher();
  // Older POs publish on every change.
  const changed = () => (batched ? undefined : publish(shell.state));
  /** Notifications to the ERP and alerts to people go through an outbox; older POs raise alerts inline. */
  const shell: PoShell<PoState, LifecycleEvent, Command> = new PoShell(
    initial,
    { reduce, notifications: notificationsFor, publish, changed },
    batched && patched(NOTIFICATIONS) ? { settings: initial.settings, memory: input.outbox } : undefined,
  );
  const seen = new EventIdWindow(shell.state.seenEventIds);
  shell.state = { ...shell.state, seenEventIds: [] };
  /** Provider events signalled and not yet applied: the main loop drains it every activation. */
  const intake: ProviderEvent[] = [];
  let signalsThisRun = 0;
  let updatesThisRun = 0;
  let eventsThisRun = 0;
  const run = (command: Command) => runCommand(command, shell.state, apply, shell.outbox !== undefined);
  const queue = new CommandQueue<Command>(run, () => isTerminal(shell.state.status));
  const view = (): PoView => poView(shell, seen);

  /** Reduces one event and queues its commands (on the request's ticket, for an update). */
  function apply(event: LifecycleEvent, ticket?: Ticket): void {
    queue.push(shell.apply(event), ticket);
  }

  /** A provider event, unless this PO has applied its id already. */
  function applyProviderEvent(event: ProviderEvent): void {
    if (seen.add(event.id)) apply({ type: 'provider_event', at: now(), event });
  }

  function drain(): void {
    for (const event of intake) applyProviderEvent(event);
    intake.length = 0;
  }

  /**
   * An operator's request: events signalled before it apply first, the rule is checked again on
   * the state they left, then the request waits for its own commands only.
   */
  function request(event: LifecycleEvent, check?: () => string | undefined): Promise<string | undefined> {
    drain();
    if (check) refuseIf(check());
    return queue.request((ticket) => apply(event, ticket));
  }

  /**
   * The next run's input carries the PO once: `resume` alone (the input's `po` is read only at the
   * start), and the accepted body only where it differs from the PO (a refused amendment).
   */
  function resumeInput(): Parameters<typeof purchaseOrderWorkflow>[0] {
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

  /** The server's suggestion, or this PO's own limits: events and signals per run, history length and size. */
  function dueForNewRun(): boolean {
    return continueAsNewDue(
      RUN_LIMITS,
      eventsThisRun >= MAX_EVENTS_PER_RUN ||
        signalsThisRun >= MAX_SIGNALS_PER_RUN ||
        updatesThisRun >= MAX_UPDATES_PER_RUN,
    );
  }

  setHandler(stateQuery, view);

  setHandler(
    amendUpdate,
    async (raw) => {
      const po = parsedOrRefused(raw, shell.state);
      await request({ type: 'amend_requested', at: now(), po }, () => checkAmend(shell.state, po));
      return view();
    },
    { validator: (raw) => refuseIf(checkAmend(shell.state, parsedOrRefused(raw, shell.state))) },
  );

  setHandler(
    bookUpdate,
    async (raw) => {
      const booking = bookingOrRefused(raw);
      const refusal = await request({ type: 'book_requested', at: now(), booking }, () =>
        checkBook(shell.state, booking),
      );
      if (refusal)
        throw ApplicationFailure.create({
          type: FailureTypes.rejected,
          message: refusal,
          nonRetryable: true,
        });
      return view();
    },
    { validator: (raw) => refuseIf(checkBook(shell.state, bookingOrRefused(raw))) },
  );

  /**
   * A close or cancel queued behind writes in flight (or one already on its way) answers once it
   * has been sent and answered: refused with the provider's reason, or done (older POs answered
   * when it was queued).
   */
  async function endSettled(ending: 'closed' | 'cancelled', refusal: string | undefined): Promise<void> {
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
    if (refusal)
      throw ApplicationFailure.create({ type: FailureTypes.rejected, message: refusal, nonRetryable: true });
  }

  setHandler(
    closeUpdate,
    async () => {
      const refusal = await request({ type: 'close_requested', at: now(), cause: 'closed by operator' }, () =>
        checkClose(shell.state),
      );
      if (shell.state.weighsOwnWrites) await endSettled('closed', refusal);
      return view();
    },
    { validator: () => refuseIf(checkClose(shell.state)) },
  );

  setHandler(
    cancelUpdate,
    async (reason) => {
      const cause = reason ? `cancelled: ${reason}` : 'cancelled by operator';
      const refusal = await request({ type: 'cancel_requested', at: now(), cause }, () =>
        checkCancel(shell.state),
      );
      if (shell.state.weighsOwnWrites) await endSettled('cancelled', refusal);
      return view();
    },
    { validator: (_reason) => refuseIf(checkCancel(shell.state)) },
  );

  /** O(1) per event and no promise: parsed, then buffered (or, replaying an older PO, applied). */
  function receive(raw: unknown): void {
    const parsed = ProviderEvent.safeParse(raw);
    // An envelope without an id cannot be deduplicated or traced: log it and drop it.
    if (!parsed.success) return log.warn('malformed provider event dropped', { issues: parsed.error.issues });
    eventsThisRun += 1;
    if (batched) intake.push(parsed.data);
    else applyProviderEvent(parsed.data);
  }

  setHandler(providerEventSignal, (raw) => {
    signalsThisRun += 1;
    receive(raw);
  });

  setHandler(providerEventsSignal, (raws) => {
    signalsThisRun += 1;
    if (!Array.isArray(raws)) return log.warn('provider events dropped: not a list');
    for (const raw of raws) receive(raw);
  });

  setHandler(
    takeProviderEventsUpdate,
    (raws) => {
      updatesThisRun += 1;
      const before = eventsThisRun;
      for (const raw of raws) receive(raw);
      return eventsThisRun - before;
    },
    {
      validator: (raws) =>
        refuseIf(Array.isArray(raws) ? undefined : 'events: expected a list of provider events'),
    },
  );

  publish(shell.state);
  queue.push(started.commands);

  const newRun = () => continueAsNew<typeof purchaseOrderWorkflow>(resumeInput());
  if (batched) {
    shell.sendNotifications();
    for (;;) {
      drain();
      if (shell.outdated) shell.show();
      // A closed or cancelled PO ends once it has told the ERP so.
      const ended = isTerminal(shell.state.status) && (shell.outbox?.idle ?? true);
      if (ended && !queue.running) break;
      if (!queue.running && queue.length > 0) void queue.runAll();
      if (!queue.running && !shell.deliveryInFlight && dueForNewRun() && allHandlersFinished()) {
        return newRun();
      }
      const deadline = nextDeadlines(shell.state)[0];
      shell.followWakeUp(deadline?.at, () => deadlineSummary(shell.state, deadline!));
      const seenRevision = shell.revision;
      const seenOutbox = shell.outbox?.revision;
      await condition(
        () =>
          intake.length > 0 ||
          shell.revision !== seenRevision ||
          shell.outbox?.revision !== seenOutbox ||
          shell.timer.fired ||
          (!queue.running && (queue.length > 0 || ended || (dueForNewRun() && allHandlersFinished()))),
      );
      if (shell.timer.fired) queue.push(shell.wokeUp({ type: 'deadline_reached', at: now() }));
    }
  } else {
    await legacyLoop(shell, queue, run, apply, newRun);
  }
  // Work queued behind the end (e.g. an amendment when the provider cancelled) is refused.
  queue.refuseAll(`Purchase order ${shell.state.name} is already ${shell.state.status}`);
  await condition(allHandlersFinished);
  drain();
  shell.show();
  return view();
}

/** The patch that weighs provider events against poflow's own writes (issue 26's races). */
const WEIGHS_OWN_WRITES = 'po-weighs-own-writes';
/** The patch that brought batched intake and the quiet deadline timer. */
const BATCHED_INTAKE = 'po-batched-intake';
/** The patch that brought the notification outbox (and took alerts off the command queue). */
const NOTIFICATIONS = 'po-notifications';
/**
 * A run's own limits. Events: the run's history (and so a replay after an eviction, or after a
 * continue-as-new the server refused because signals came in meanwhile) stays short. Signals: a
 * fifth of Temporal's 10,000 per history, leaving room for those that arrive while a provider call
 * holds the run open.
 */
const MAX_EVENTS_PER_RUN = 1_000;
const MAX_SIGNALS_PER_RUN = 2_000;
/** Half the server's default limit on updates in one run (2,000). */
const MAX_UPDATES_PER_RUN = 1_000;
const RUN_LIMITS: RunLimits = { historyEvents: 10_000, historyBytes: 10 * 1024 * 1024 };

function poView(shell: PoShell<PoState, LifecycleEvent, Command>, seen: EventIdWindow): PoView {
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

/** A close or cancel queued behind writes, or sent and not answered yet. */
function endOnItsWay(state: PoState): boolean {
  return (
    state.endRequested !== undefined ||
    state.pending?.intent === 'close' ||
    state.pending?.intent === 'cancel'
  );
}
