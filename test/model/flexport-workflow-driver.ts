/**
 * The Flexport lifecycle's model-based test, second configuration: the same generated scenarios
 * (flexport-scenario.ts) run against the real `purchaseOrderWorkflow` on the time-skipping test
 * server, so the workflow shell (its handlers, its main loop, `allHandlersFinished`, the command
 * queue as Temporal runs it) is under test too, not only the reducer.
 *
 * The provider is an activity double of the model: the worker's `submitPurchaseOrder`,
 * `bookPurchaseOrder` and `readPurchaseOrder` are carried out by one `FlexportModel` per workflow,
 * and each call waits until the scenario answers it: accepted, refused (a non-retryable
 * `ProviderRejected` with status 422), applied then lost, or transient (both a retryable
 * `ProviderUnavailable`, so Temporal runs the activity again). Notifications and alerts are the
 * real activities, answered at once. Webhooks are the real `providerEvents` signal carrying the
 * model's events; operator requests are the real updates, started and left to settle on their
 * own; a deadline step skips the test server's clock to the PO's next deadline.
 *
 * After every step the driver waits for the workflow to come to rest: every workflow task
 * completed (read from its history) and every pending activity the one provider call the double
 * holds unanswered (read from `describe`). Time skips (an hour between steps, to the next
 * deadline on a deadline step) only while no provider call is held: see `deadline`.
 */
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import {
  ApplicationFailure,
  ApplicationFailureCategory,
  SearchAttributeType,
  type UpdateDefinition,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createNotificationActivities, NO_NOTIFICATIONS } from '../../activities/notifications';
import { FailureTypes } from '../../workflows/core/provider-failures';
import { SearchAttributes } from '../../workflows/core/search-attributes';
import { isTerminal } from '../../workflows/core/status';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  providerEventsSignal,
  stateQuery,
  type PoView,
} from '../../workflows/flexport/messages';
import { PurchaseOrder } from '../../workflows/flexport/purchase-order';
import type { BookingPlan, FallbackRead, SubmissionIntent } from '../../workflows/flexport/state';
import { purchaseOrderWorkflow } from '../../workflows/flexport/workflow';
import { dayAfter, samplePurchaseOrder } from '../support/purchase-orders';
import { timeSkippingEnv, workerDefaults } from '../support/temporal';
import type { CallOutcome } from './flexport-po';
import { bodyOf, FlexportModel, type Answer } from './flexport-provider';
import {
  atRestViolations,
  CARGO_READY_DAYS,
  MUST_ARRIVE_DAYS,
  type Scenario,
  type Step,
} from './flexport-scenario';

const HOUR_MS = 3_600_000;
/** Prints every step as it is taken. */
const TRACE = process.env.POFLOW_MODEL_WORKFLOW_TRACE === '1';
const TASK_QUEUE = 'poflow-model';
/** Real time a step may take to come to rest before the run is reported as stuck. */
const REST_TIMEOUT_MS = 60_000;
/** Real time updates get, once everything is answered and delivered, to settle. */
const UPDATE_GRACE_MS = 10_000;
/** How far before a timer a skip stops: the timer then fires in real time. */
const TIMER_MARGIN_MS = 250;
/** A transient failure's retry: soon, in real time (the test server's clock is locked meanwhile). */
const RETRY_SOON_MS = 10;

type CallKind = 'submit' | 'book' | 'read';

interface HeldCall {
  kind: CallKind;
  input: unknown;
  activityId: string;
  attempt: number;
  resolve(value: unknown): void;
  reject(failure: ApplicationFailure): void;
}

export interface UpdateRecord {
  label: string;
  settled: boolean;
  refusal?: string;
  result?: Promise<void>;
}

export interface WorkflowRunResult {
  violations: string[];
  /** The workflow's state at the end (undefined if it could not be read). */
  state?: PoView;
  provider: FlexportModel;
  requests: UpdateRecord[];
  /** Provider calls the workflow made (attempts included). */
  providerCalls: number;
  /** The workflow had closed by the end of the run. */
  closed: boolean;
}

/** One time-skipping server and one worker whose provider activities are the model double. */
export class WorkflowModelRig {
  private runCount = 0;
  private constructor(
    readonly env: TestWorkflowEnvironment,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly runs: Map<string, WorkflowPo>,
  ) {}

  static async start(): Promise<WorkflowModelRig> {
    const env = await timeSkippingEnv();
    try {
      await registerSearchAttributes(env);
      const runs = new Map<string, WorkflowPo>();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue: TASK_QUEUE,
        ...workerDefaults,
        activities: modelActivities(runs),
      });
      return new WorkflowModelRig(env, worker, worker.run(), runs);
    } catch (err) {
      await env.teardown();
      throw err;
    }
  }

  /** Runs one scenario on a fresh workflow; returns what it broke (nothing: a clean run). */
  async run(scenario: Scenario): Promise<WorkflowRunResult> {
    const workflowId = `model/flexport/${++this.runCount}`;
    const po = new WorkflowPo(this.env, workflowId, scenario);
    this.runs.set(workflowId, po);
    try {
      await po.run();
    } finally {
      await po.dispose();
      this.runs.delete(workflowId);
    }
    return { violations: po.violations, state: po.state, provider: po.provider, requests: po.requests, providerCalls: po.providerCalls, closed: po.closedAtEnd }; // prettier-ignore
  }

  async close(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.env.teardown();
  }
}

/** The PO task queue's activities: the provider calls go to the model of the calling workflow. */
function modelActivities(runs: Map<string, WorkflowPo>) {
  const call = (kind: CallKind, input: unknown): Promise<unknown> => {
    const info = Context.current().info;
    const po = runs.get(info.workflowExecution?.workflowId ?? '');
    if (!po)
      throw ApplicationFailure.create({ message: 'no scenario runs this workflow', nonRetryable: true });
    return po.call(kind, input, info.activityId, info.attempt);
  };
  return {
    ...createNotificationActivities({ notify: NO_NOTIFICATIONS, alerts: { raise: () => undefined } }),
    submitPurchaseOrder: (input: { intent: SubmissionIntent; body: PurchaseOrder }) => call('submit', input),
    bookPurchaseOrder: (plan: BookingPlan) => call('book', plan),
    readPurchaseOrder: (read: FallbackRead) => call('read', read),
  };
}

/** The double's failures are benign: the worker logs them at debug, not as a warning each. */
const rejected = (status: number, message: string) =>
  ApplicationFailure.create({ type: FailureTypes.rejected, message, details: [{ status }], nonRetryable: true, category: ApplicationFailureCategory.BENIGN }); // prettier-ignore

const unavailable = (retryInMs: number): ApplicationFailure =>
  ApplicationFailure.create({
    type: FailureTypes.unavailable,
    message: 'the provider model answered 503',
    details: [{ status: 503 }],
    nextRetryDelay: Math.max(1, Math.round(retryInMs)),
    category: ApplicationFailureCategory.BENIGN,
  });

const PENDING_STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const EventType = temporal.api.enums.v1.EventType;
const WftCause = temporal.api.enums.v1.WorkflowTaskFailedCause;
/** Workflow task failures that are Temporal's routine (a command raced new events, a sticky worker gone). */
const ROUTINE_WFT_FAILURES = new Set<number>([
  WftCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  WftCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
]);

/** One scenario against one workflow and its own provider model. */
class WorkflowPo {
  readonly provider: FlexportModel;
  readonly violations: string[] = [];
  readonly requests: UpdateRecord[] = [];
  state?: PoView;
  /** The workflow has closed (completed, or otherwise). */
  closed = false;
  private held?: HeldCall;
  /** Activities (by id) whose write the provider carried out though its answer was lost. */
  private readonly applied = new Set<string>();
  providerCalls = 0;
  closedAtEnd = false;
  private wftFailuresSeen = 0;
  private readonly handle: WorkflowHandle<typeof purchaseOrderWorkflow>;
  private base = 0;
  private synced = { env: 0, real: 0 };
  private stuck = false;

  constructor(
    private readonly env: TestWorkflowEnvironment,
    private readonly workflowId: string,
    private readonly scenario: Scenario,
  ) {
    this.provider = new FlexportModel(() => new Date(this.now()).toISOString());
    this.handle = env.client.workflow.getHandle(workflowId);
  }

  /** The test server's clock: it runs at real speed while time is locked. */
  private now(): number {
    return this.synced.env + (Date.now() - this.synced.real);
  }

  private async sync(): Promise<void> {
    this.synced = { env: await this.env.currentTimeMs(), real: Date.now() };
  }

  private violate(message: string): void {
    this.violations.push(`${new Date(this.now()).toISOString()} ${message}`);
  }

  async run(): Promise<void> {
    await this.sync();
    this.base = this.synced.env;
    const po = this.purchaseOrder();
    const settings = this.scenario.settings;
    let adopted;
    if (this.scenario.adopted) {
      this.provider.createOutside(po);
      adopted = { provider: 'flexport' as const, providerId: 171001, version: 1, createdAt: new Date(this.now()).toISOString(), lineItemIds: this.provider.lineItemIdsNow(), bookings: [], shipments: [], trigger: 'poflow adopt' }; // prettier-ignore
    }
    await this.env.client.workflow.start(purchaseOrderWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: this.workflowId,
      args: [{ po, settings, ...(adopted ? { adopted } : {}) }],
    });
    await this.rest();
    const steps = this.scenario.steps;
    for (const step of steps) {
      if (this.violations.length > 0) return;
      // An hour between steps, as the reducer-level driver has it (not while a call runs: the
      // test server does not skip time past a running activity).
      if (!this.held && !this.closed) await this.skip(HOUR_MS);
      if (TRACE) console.log(`${this.workflowId} ${new Date(this.now()).toISOString()} ${JSON.stringify(step)} held ${this.held?.kind ?? '-'}`); // prettier-ignore
      await this.take(step);
      await this.rest();
      if (this.providerCalls > 20 + 4 * steps.length) this.violate('provider calls grow without bound');
    }
    if (this.violations.length === 0) await this.quiesce();
  }

  /** The PO with these dates and units, relative to the run's start (as flexport-scenario's, from T0). */
  private purchaseOrder(cargo = 1, arrive = 1, unitsA = 500): PurchaseOrder {
    const sample = samplePurchaseOrder('PO-1', this.base, {
      cargo_ready_date: dayAfter(this.base, CARGO_READY_DAYS[cargo]!),
      must_arrive_date: dayAfter(this.base, MUST_ARRIVE_DAYS[arrive]!),
    });
    sample.line_items = sample.line_items.map((line) => (line.item_key === 'A' ? { ...line, units: unitsA } : line)); // prettier-ignore
    return PurchaseOrder.parse(sample);
  }

  private async take(step: Step): Promise<void> {
    const { provider } = this;
    switch (step.kind) {
      case 'amend':
        return this.update('amend', amendUpdate, [this.purchaseOrder(step.cargo, step.arrive, step.unitsA)]);
      case 'book':
        return this.update('book', bookUpdate, [step.partial ? { lines: [{ item_key: 'A', units: 200 }] } : {}]); // prettier-ignore
      case 'close':
        return this.update('close', closeUpdate, [undefined]);
      case 'cancel':
        return this.update('cancel', cancelUpdate, [step.reason]);
      case 'answer':
        return this.answer(step.outcome);
      case 'deliver': {
        const events = provider.undelivered;
        if (events.length === 0) return;
        const at = step.pick % events.length;
        const event = step.again ? events[at]! : events.splice(at, 1)[0]!;
        return this.signal(event);
      }
      case 'outside':
        switch (step.change) {
          case 'amend':
            return provider.amendOutside(dayAfter(this.base, CARGO_READY_DAYS[step.cargo]!), dayAfter(this.base, MUST_ARRIVE_DAYS[step.arrive]!)); // prettier-ignore
          case 'close':
          case 'cancel':
            return provider.endOutside(step.change === 'close' ? 'closed' : 'cancelled');
          case 'confirm_booking':
            return provider.confirmBooking();
          case 'deliver_shipment':
            return provider.deliverShipment();
        }
        return;
      case 'deadline':
        return this.deadline();
    }
  }

  /**
   * The deadline timer fires at the PO's next deadline: the server's clock skips there. Not while
   * a provider call is held: the test server does not skip its clock past a running activity, nor
   * reliably past one waiting for its retry (tried: the clock stayed put, or the retry's 15-minute
   * schedule-to-close of a fallback read timed it out and the clock then stopped), so such a step
   * does nothing here; the reducer-level configuration covers deadlines during a call.
   */
  private async deadline(): Promise<void> {
    if (this.closed || this.held) return;
    const next = this.state?.nextDeadlines[0];
    if (!next) return;
    await this.skip(Math.max(1, Date.parse(next.at) - this.now()));
  }

  /**
   * Skips the server's clock by `ms`, or to just before the workflow's next timer if that comes
   * first (then it fires in real time): a timer that starts an activity during `env.sleep` would
   * hold the sleep until the activity ends, and the activity waits for the scenario's next step.
   */
  private async skip(ms: number): Promise<void> {
    const target = this.now() + ms;
    const timer = await this.nextTimer();
    const until = Math.min(target, timer === undefined ? Infinity : timer - TIMER_MARGIN_MS);
    if (until > this.now()) {
      const sleeping = this.env.sleep(until - this.now());
      let stalled: NodeJS.Timeout | undefined;
      await Promise.race([
        sleeping,
        new Promise((_, reject) => {
          stalled = setTimeout(() => reject(new Error(`the test server's clock did not skip to ${new Date(until).toISOString()} (next timer ${timer === undefined ? 'none' : new Date(timer).toISOString()}; held: ${this.held?.kind ?? 'none'})`)), REST_TIMEOUT_MS); // prettier-ignore
        }),
      ]).finally(() => clearTimeout(stalled));
    }
    // A timer due: it fires in real time, before the step comes to rest.
    if (until < target) await new Promise((resolve) => setTimeout(resolve, TIMER_MARGIN_MS + 100));
    await this.sync();
  }

  /** When the workflow's earliest running timer fires (server time), read off its history. */
  private async nextTimer(): Promise<number | undefined> {
    const running = new Map<string, number>();
    for (const event of (await this.handle.fetchHistory()).events ?? []) {
      const started = event.timerStartedEventAttributes;
      if (started?.timerId)
        running.set(started.timerId, ms(event.eventTime) + ms(started.startToFireTimeout));
      const ended = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
      if (ended?.timerId) running.delete(ended.timerId);
    }
    return running.size > 0 ? Math.min(...running.values()) : undefined;
  }

  /** A webhook delivery: the real signal, as the receiver sends it. */
  private async signal(event: unknown): Promise<void> {
    if (this.closed) return;
    try {
      await this.handle.signal(providerEventsSignal, [event as never]);
    } catch (err) {
      if (!(await this.hasClosed())) throw err;
    }
  }

  /** An operator's request: the real update, accepted (or refused by its validator) before the next step. */
  private async update<Args extends unknown[]>(
    label: string,
    definition: UpdateDefinition<PoView, Args>,
    args: Args,
  ): Promise<void> {
    if (this.closed) return;
    const record: UpdateRecord = { label, settled: false };
    try {
      const started = await this.handle.startUpdate(definition as never, {
        args: args as never,
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      this.requests.push(record);
      record.result = started.result().then(
        () => void (record.settled = true),
        (err: unknown) => void Object.assign(record, { settled: true, refusal: refusalOf(err) }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        this.requests.push(Object.assign(record, { settled: true, refusal: refusalOf(err) }));
        return;
      }
      // The workflow completed before it took the request: no request was made.
      if (!(await this.hasClosed())) throw err;
    }
  }

  private async hasClosed(): Promise<boolean> {
    const description = await this.handle.describe();
    this.closed = description.status.name !== 'RUNNING';
    return this.closed;
  }

  /** A provider call from the worker: held until the scenario answers it. */
  call(kind: CallKind, input: unknown, activityId: string, attempt: number): Promise<unknown> {
    this.providerCalls += 1;
    if (this.closed) this.violate(`a ${kind} reached the provider after the workflow closed`);
    // An attempt the server timed out (its minute ran out in real time) is retried: the new one
    // replaces it, and the old one fails as any lost call does.
    this.held?.reject(unavailable(RETRY_SOON_MS));
    return new Promise((resolve, reject) => {
      this.held = { kind, input, activityId, attempt, resolve, reject };
    });
  }

  private answer(outcome: CallOutcome): void {
    const call = this.held;
    if (!call) return;
    this.held = undefined;
    if (outcome === 'transient') return call.reject(unavailable(RETRY_SOON_MS));
    if (outcome === 'applied_then_lost') {
      this.perform(call);
      this.applied.add(call.activityId);
      return call.reject(unavailable(RETRY_SOON_MS));
    }
    // A write the provider holds already is not refused when sent again (create-or-update, bookings by name).
    if (outcome === 'refused' && !this.applied.has(call.activityId)) {
      return call.reject(rejected(422, 'refused by the provider model'));
    }
    const answer = this.perform(call);
    if (answer.ok) call.resolve(answer.value);
    else call.reject(rejected(answer.status, answer.message));
  }

  /** The provider carries out a call (a write lands, a read is answered). */
  private perform(call: HeldCall): Answer<unknown> {
    if (call.kind === 'read') {
      if (!this.provider.body) return { ok: false, status: 404, message: 'no such purchase order' };
      return { ok: true, value: this.provider.snapshot() };
    }
    const status = this.state?.status;
    if (call.kind === 'submit') {
      const { intent, body } = call.input as { intent: SubmissionIntent; body: PurchaseOrder };
      const sent = bodyOf(body).status;
      if (status && isTerminal(status) && sent !== status) this.violate(`a ${intent} (status ${sent}) reached the provider after the PO became ${status}`); // prettier-ignore
      if (this.provider.body && this.provider.endedBy('poflow') && sent === 'open') this.violate(`a ${intent} (status open) reopened the PO at the provider after poflow ended it`); // prettier-ignore
      return this.provider.write(body, intent, `poflow's ${intent} (activity ${call.activityId})`);
    }
    if (status && isTerminal(status))
      this.violate(`a booking reached the provider after the PO became ${status}`);
    return this.provider.book(call.input as BookingPlan);
  }

  /**
   * Waits until the workflow is at rest: its workflow tasks all completed, and no activity pending
   * but the provider call held here unanswered. Then reads its state.
   */
  private async rest(): Promise<void> {
    if (this.stuck) return;
    const until = Date.now() + REST_TIMEOUT_MS;
    let calm = 0;
    let why = '';
    for (;;) {
      const description = await this.handle.describe();
      this.closed = description.status.name !== 'RUNNING';
      const { events } = await this.handle.fetchHistory();
      let scheduled = -1;
      let completed = -1;
      const failures: string[] = [];
      (events ?? []).forEach((event, i) => {
        if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduled = i;
        if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) completed = i;
        const failed = event.workflowTaskFailedEventAttributes;
        if (
          event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED &&
          failed &&
          !ROUTINE_WFT_FAILURES.has(failed.cause ?? 0)
        ) {
          failures.push(`workflow task failed (${WftCause[failed.cause ?? 0]}): ${failed.failure?.message}`); // prettier-ignore
        }
      });
      if (failures.length > this.wftFailuresSeen) {
        for (const failure of failures.slice(this.wftFailuresSeen)) this.violate(failure);
        this.wftFailuresSeen = failures.length;
        this.stuck = true;
        return;
      }
      const pending = description.raw.pendingActivities ?? [];
      const held = this.held;
      const heldHere = (a: (typeof pending)[number]) =>
        held !== undefined && a.state === PENDING_STARTED && a.activityId === held.activityId && a.attempt === held.attempt; // prettier-ignore
      const tasksDone = this.closed || completed > scheduled;
      const activitiesAtRest = pending.every(heldHere) && (held === undefined || this.closed || pending.some(heldHere)); // prettier-ignore
      if (this.closed && held) {
        this.violate(`the workflow closed with a ${held.kind} in flight at the provider`);
        this.stuck = true;
        return;
      }
      if (tasksDone && activitiesAtRest) {
        // Twice in a row, a moment apart: nothing was on its way between the two reads.
        if (++calm >= 2) break;
      } else {
        calm = 0;
        why = !tasksDone
          ? 'a workflow task is outstanding'
          : `activities pending: ${pending.map((a) => `${a.activityType?.name}#${a.activityId} attempt ${a.attempt} state ${a.state}`).join(', ')}; held: ${held ? `${held.kind}#${held.activityId} attempt ${held.attempt}` : 'none'}`; // prettier-ignore
      }
      if (Date.now() > until) {
        this.violate(`did not come to rest within ${REST_TIMEOUT_MS / 1000} s: ${why}`);
        this.stuck = true;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    this.state = await this.handle.query(stateQuery);
  }

  /**
   * The provider answers everything in the end and every webhook arrives; no deadline fires.
   * Then the invariants that hold at rest.
   */
  private async quiesce(): Promise<void> {
    for (let step = 0; ; step += 1) {
      if (step > 200) return this.violate('does not come to rest: calls keep coming with nothing new from anyone'); // prettier-ignore
      await this.rest();
      if (this.violations.length > 0) return;
      if (this.held) this.answer('accepted');
      else if (this.provider.undelivered.length > 0 && !this.closed)
        await this.signal(this.provider.undelivered.shift()!); // prettier-ignore
      else break;
    }
    await Promise.race([
      Promise.all(this.requests.map((r) => r.result)),
      new Promise((resolve) => setTimeout(resolve, UPDATE_GRACE_MS)),
    ]);
    this.checkAtRest();
  }

  private checkAtRest(): void {
    const { state, provider } = this;
    if (!state) return this.violate('its state could not be read');
    if (isTerminal(state.status) && !this.closed) this.violate(`${state.status}, yet its workflow has not completed`); // prettier-ignore
    for (const violation of atRestViolations(state, provider, this.requests)) this.violate(violation);
  }

  /** Leaves nothing behind: the held call failed, the workflow terminated if it still runs. */
  async dispose(): Promise<void> {
    this.held?.reject(unavailable(RETRY_SOON_MS));
    this.held = undefined;
    this.closedAtEnd = await this.hasClosed().catch(() => true);
    if (!this.closedAtEnd) {
      await this.handle.terminate('model-based run over').catch(() => undefined);
    }
    this.closed = true;
  }
}

/** A protobuf Timestamp or Duration in milliseconds. */
function ms(value: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(String(value?.seconds ?? 0)) * 1000 + Math.floor((value?.nanos ?? 0) / 1e6);
}

function refusalOf(err: unknown): string {
  if (err instanceof WorkflowUpdateFailedError)
    return (err.cause as Error | undefined)?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** The time-skipping server knows no custom search attributes until told. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const types = temporal.api.enums.v1.IndexedValueType;
  const indexed: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
    [SearchAttributeType.TEXT]: types.INDEXED_VALUE_TYPE_TEXT,
    [SearchAttributeType.KEYWORD]: types.INDEXED_VALUE_TYPE_KEYWORD,
    [SearchAttributeType.INT]: types.INDEXED_VALUE_TYPE_INT,
    [SearchAttributeType.DOUBLE]: types.INDEXED_VALUE_TYPE_DOUBLE,
    [SearchAttributeType.BOOL]: types.INDEXED_VALUE_TYPE_BOOL,
    [SearchAttributeType.DATETIME]: types.INDEXED_VALUE_TYPE_DATETIME,
    [SearchAttributeType.KEYWORD_LIST]: types.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.values(SearchAttributes).map((key) => [key.name, indexed[key.type]])), // prettier-ignore
  });
}
