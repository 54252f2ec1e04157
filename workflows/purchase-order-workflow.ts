/**
 * The workflow shell around the lifecycle reducer: it feeds the reducer events (requests,
 * provider results, webhook events, deadlines), carries out the commands it returns one at a time,
 * and keeps the search attributes and the Web UI's current details in step with the state.
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
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  checkAmend,
  checkBook,
  checkCancel,
  checkClose,
  isTerminal,
  nextDeadlines,
  reduce,
  startLifecycle,
  type Command,
  type Deadline,
  type LifecycleEvent,
  type PoState,
} from './lifecycle';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  ProviderEvent,
  providerEventSignal,
  purchaseOrderSearchAttributes,
  stateQuery,
  type PoView,
} from './messages';
import {
  Booking,
  DEFAULT_QUIET_CHECK_HOURS,
  parsePurchaseOrder,
  parseWith,
  PoSettings,
  type PoSettingsInput,
  type PurchaseOrder,
} from './purchase-order';
import {
  describeIssues,
  now,
  PROVIDER_CALL,
  providerRefusal,
  purchaseOrderRejected,
  refuseIf,
  uiPublisher,
} from './workflow-support';

export interface PurchaseOrderWorkflowInput {
  /** The PO as submitted (the v3 create body); checked again here, so a bad one never reaches the provider. */
  po: unknown;
  settings?: PoSettingsInput;
  /** Set by continue-as-new: the lifecycle so far, dedupe set included. */
  resume?: PoState;
}

type Activities = ReturnType<typeof createActivities>;

const activities = proxyActivities<Activities>(PROVIDER_CALL);

/**
 * A fallback read is a courtesy, not a write: it gives up after a quarter of an hour instead of
 * holding the PO's command queue through a long outage; the quiet check tries again later.
 */
const FALLBACK_READ: ActivityOptions = { ...PROVIDER_CALL, scheduleToCloseTimeout: '15 minutes' };

export async function purchaseOrderWorkflow(input: PurchaseOrderWorkflowInput): Promise<PoView> {
  const started = input.resume ? { state: input.resume, commands: [] } : begin(input);
  let state = withQuietCheck(started.state, patched('quiet-po-fallback-read'));
  // Requests wait for provider writes in flight; POs started before replay as they ran.
  state = { ...state, waitsForProviderCalls: patched('requests-wait-for-provider-calls') };
  /** Bumped on every change, so the main loop re-reads the deadlines. */
  let revision = 0;
  const jobs: Job[] = [];
  const publish = publisher();

  /** Reduces one event, publishes the result and queues its commands; resolves once they have run. */
  function apply(event: LifecycleEvent): Promise<string | undefined> {
    const reduced = reduce(state, event);
    if (reduced.state !== state) {
      state = reduced.state;
      revision += 1;
      publish(state);
    }
    return enqueue(reduced.commands);
  }

  function enqueue(commands: Command[]): Promise<string | undefined> {
    const done = commands.map(
      (command) => new Promise<string | undefined>((settle) => jobs.push({ command, settle })),
    );
    return Promise.all(done).then((refusals) => refusals.find((r) => r !== undefined));
  }

  /** Runs one command; resolves with the provider's refusal, if any. */
  async function run(command: Command): Promise<string | undefined> {
    const summary = commandSummary(state, command);
    switch (command.type) {
      case 'submit':
        try {
          const result = await activities.submitPurchaseOrder.executeWithOptions(
            { ...PROVIDER_CALL, summary },
            [{ intent: command.intent, body: command.body }],
          );
          void apply({ type: 'submission_accepted', at: now(), intent: command.intent, ...result });
          return undefined;
        } catch (err) {
          return refused(err, command.intent);
        }
      case 'book':
        try {
          const booking = await activities.bookPurchaseOrder.executeWithOptions(
            { ...PROVIDER_CALL, summary },
            [command.plan],
          );
          void apply({ type: 'booking_created', at: now(), ...booking });
          return undefined;
        } catch (err) {
          return refused(err, 'book');
        }
      case 'alert':
        await activities.raiseAlert.executeWithOptions({ ...PROVIDER_CALL, summary }, [command.alert]);
        return undefined;
      case 'read':
        try {
          const snapshot = await activities.readPurchaseOrder.executeWithOptions(
            { ...FALLBACK_READ, summary },
            [command.read],
          );
          void apply({ type: 'provider_snapshot', at: now(), snapshot });
        } catch (err) {
          log.warn('fallback read failed; the quiet check tries again later', { error: String(err) });
        }
        return undefined;
    }
  }

  // Results are applied without waiting for their own commands: this runs inside the command loop.
  function refused(err: unknown, during: SubmissionOrBook): string {
    const { status, message } = providerRefusal(err);
    void apply({ type: 'provider_rejected', at: now(), during, status, message });
    return message;
  }

  setHandler(stateQuery, () => view(state));

  setHandler(
    amendUpdate,
    async (raw) => {
      await apply({ type: 'amend_requested', at: now(), po: parsedOrRefused(raw, state) });
      return view(state);
    },
    { validator: (raw) => refuseIf(checkAmend(state, parsedOrRefused(raw, state))) },
  );

  setHandler(
    bookUpdate,
    async (raw) => {
      const refusal = await apply({ type: 'book_requested', at: now(), booking: bookingOrRefused(raw) });
      if (refusal)
        throw ApplicationFailure.create({ type: 'ProviderRejected', message: refusal, nonRetryable: true });
      return view(state);
    },
    { validator: (raw) => refuseIf(checkBook(state, bookingOrRefused(raw))) },
  );

  setHandler(
    closeUpdate,
    async () => {
      await apply({ type: 'close_requested', at: now(), cause: 'closed by operator' });
      return view(state);
    },
    { validator: () => refuseIf(checkClose(state)) },
  );

  setHandler(
    cancelUpdate,
    async (reason) => {
      await apply({
        type: 'cancel_requested',
        at: now(),
        cause: reason ? `cancelled: ${reason}` : 'cancelled by operator',
      });
      return view(state);
    },
    { validator: (_reason) => refuseIf(checkCancel(state)) },
  );

  setHandler(providerEventSignal, (raw) => {
    const parsed = ProviderEvent.safeParse(raw);
    // An envelope without an id cannot be deduplicated or traced: log it and drop it.
    if (!parsed.success) return log.warn('malformed provider event dropped', { issues: parsed.error.issues });
    void apply({ type: 'provider_event', at: now(), event: parsed.data });
  });

  publish(state);
  void enqueue(started.commands);

  while (!isTerminal(state.status)) {
    const job = jobs.shift();
    if (job) {
      job.settle(await run(job.command));
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) {
      // Finish in-flight handlers first; one that queued new work keeps us going instead.
      await condition(() => allHandlersFinished() || jobs.length > 0);
      if (jobs.length === 0) {
        return continueAsNew<typeof purchaseOrderWorkflow>({
          po: state.po,
          settings: state.settings,
          resume: state,
        });
      }
      continue;
    }
    const seen = revision;
    const wake = () => jobs.length > 0 || revision !== seen || workflowInfo().continueAsNewSuggested;
    const deadline = nextDeadlines(state)[0];
    if (!deadline) {
      await condition(wake);
    } else {
      const wait = Math.max(Date.parse(deadline.at) - Date.now(), 1);
      if (!(await condition(wake, wait, { summary: deadlineSummary(state, deadline) }))) {
        void apply({ type: 'deadline_reached', at: now() });
      }
    }
  }
  // Work queued behind the end (e.g. an amendment when the provider cancelled) is refused.
  for (const job of jobs.splice(0)) job.settle(`Purchase order ${state.name} is already ${state.status}`);
  await condition(allHandlersFinished);
  return view(state);
}

interface Job {
  command: Command;
  settle: (refusal: string | undefined) => void;
}

type SubmissionOrBook = Extract<LifecycleEvent, { type: 'provider_rejected' }>['during'];

/**
 * POs whose history began before the quiet check replay without it (their histories hold no such
 * timer). A run resumed from state written before it existed gets the default.
 */
function withQuietCheck(state: PoState, quietCheckPatched: boolean): PoState {
  const quietCheckHours = quietCheckPatched
    ? (state.settings.quietCheckHours ?? DEFAULT_QUIET_CHECK_HOURS)
    : false;
  return { ...state, settings: { ...state.settings, quietCheckHours } };
}

function begin(input: PurchaseOrderWorkflowInput) {
  const createdOn = now().slice(0, 10);
  const po = parsePurchaseOrder(input.po, { createdOn });
  const settings = parseWith(PoSettings, input.settings ?? {});
  if (!po.ok || !settings.ok) {
    throw purchaseOrderRejected([...(po.ok ? [] : po.issues), ...(settings.ok ? [] : settings.issues)]);
  }
  return startLifecycle(po.value, settings.value, now());
}

function parsedOrRefused(raw: unknown, state: PoState): PurchaseOrder {
  const parsed = parsePurchaseOrder(raw, { createdOn: state.createdAt.slice(0, 10) });
  if (parsed.ok) return parsed.value;
  throw purchaseOrderRejected(parsed.issues);
}

function bookingOrRefused(raw: unknown) {
  const parsed = parseWith(Booking, raw ?? {});
  if (parsed.ok) return parsed.value;
  throw ApplicationFailure.create({
    type: 'RequestRefused',
    message: describeIssues(parsed.issues),
    nonRetryable: true,
  });
}

function view(state: PoState): PoView {
  return { ...state, nextDeadlines: nextDeadlines(state) };
}

// ---- what the Web UI shows ----

function publisher(): (state: PoState) => void {
  const publish = uiPublisher();
  return (state) =>
    publish(
      purchaseOrderSearchAttributes({ ...state, shipmentIds: state.shipments.map((s) => s.id) }),
      currentDetails(state),
    );
}

const DEADLINE_LABELS: Record<Deadline['kind'], string> = {
  cargo_ready_check: 'cargo-ready check (booking overdue?)',
  must_arrive_check: 'must-arrive check (late?)',
  auto_close: 'auto-close',
  quiet_check: 'quiet check (nothing heard: fallback read of the PO)',
};

function deadlineSummary(state: PoState, deadline: Deadline): string {
  return `${DEADLINE_LABELS[deadline.kind]} for PO ${state.name} at ${deadline.at}`;
}

function commandSummary(state: PoState, command: Command): string {
  switch (command.type) {
    case 'submit':
      return `${command.intent} PO ${state.name} at ${state.provider} (status ${command.body.status})`;
    case 'book':
      return `book ${command.plan.name} for PO ${state.name}: ${command.plan.lines.map((l) => `${l.itemKey}×${l.units}`).join(', ')}`; // prettier-ignore
    case 'alert':
      return `alert ${command.alert.kind} for PO ${state.name}`;
    case 'read': {
      const { purchaseOrderId, bookingIds, shipmentIds } = command.read;
      return [
        `fallback read of PO ${state.name}: GET /purchase_orders/${purchaseOrderId}`,
        ...bookingIds.map((id) => `/bookings/${id}`),
        ...shipmentIds.map((id) => `/shipments/${id}`),
      ].join(', ');
    }
  }
}

function currentDetails(state: PoState): string {
  const last = state.history[state.history.length - 1];
  const flags = [
    state.acknowledged ? 'acknowledged' : 'not acknowledged',
    state.bookingOverdue ? '**booking overdue**' : undefined,
    state.late ? '**late**' : undefined,
  ].filter(Boolean);
  const milestones = Object.entries(state.milestones).map(([m, at]) => `${m.replace(/_/g, ' ')} ${at}`);
  const next = nextDeadlines(state).map((d) => `${DEADLINE_LABELS[d.kind]} at ${d.at}`);
  return [
    `## PO ${state.name}: **${state.status}**`,
    `- provider: ${state.provider}` +
      (state.providerId === undefined ? '' : ` id ${state.providerId}`) +
      (state.providerVersion === undefined ? '' : ` version ${state.providerVersion}`),
    `- flags: ${flags.join(', ')}`,
    `- lines: ${state.lines.map((l) => `${l.itemKey} ${l.bookedUnits}/${l.units} (${l.booking})`).join(', ')}`,
    `- bookings: ${state.bookings.map((b) => `${b.name} (${b.status})`).join(', ') || 'none'}`,
    `- milestones: ${milestones.join(', ') || 'none yet'}`,
    `- waiting for: ${state.pending ? `${state.pending.intent} (${state.pending.cause}) since ${state.pending.since}` : 'nothing'}`, // prettier-ignore
    `- next: ${next.join('; ') || 'nothing scheduled'}`,
    state.lastError
      ? `- last provider error (${state.lastError.status}): ${state.lastError.message}`
      : undefined,
    last ? `- last change ${last.at}: ${last.from} → ${last.to}${last.change ? ` (${last.change})` : ''}: ${last.cause}` : undefined, // prettier-ignore
  ]
    .filter(Boolean)
    .join('\n');
}
