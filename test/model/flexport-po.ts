/**
 * One Flexport PO driven the way its workflow drives it (workflows/flexport/workflow.ts), without
 * Temporal: the real reducer, the real `CommandQueue` and `EventIdWindow`, operator requests that
 * hold tickets, webhook intake drained before each step, commands run one at a time against the
 * provider model, whose answers arrive only when the scenario says so. Every invariant the
 * model-based test checks during a run is checked here, as it happens.
 */
import { reduce, startLifecycle } from '../../workflows/flexport/lifecycle';
import { adoptLifecycle } from '../../workflows/flexport/adoption';
import { checkAmend, checkBook, checkCancel, checkClose } from '../../workflows/flexport/checks';
import { nextDeadlines } from '../../workflows/flexport/deadlines';
import type { Command, LifecycleEvent, PoState } from '../../workflows/flexport/state';
import type { ProviderEvent } from '../../workflows/flexport/provider-event';
import type { Booking, PurchaseOrder } from '../../workflows/flexport/purchase-order';
import type { PoSettings } from '../../workflows/core/settings';
import { CommandQueue, type Ticket } from '../../workflows/core/command-queue';
import { EventIdWindow } from '../../workflows/core/event-id-window';
import { isTerminal } from '../../workflows/core/status';
import { FlexportModel } from './flexport-provider';

/** How the provider answers the call in flight. */
export type CallOutcome =
  | 'accepted'
  /** A 4xx: refused, nothing applied. */
  | 'refused'
  /** Applied, but the answer was lost (a timeout): the activity sends it again later. */
  | 'applied_then_lost'
  /** A 5xx, a 429 with Retry-After, a timeout before it was applied: the activity retries. */
  | 'transient';

export interface RequestRecord {
  label: string;
  settled: boolean;
  refusal?: string;
  /** A close or cancel queued behind writes: its update answers once the end was sent and answered. */
  awaitingEnd?: { ending: 'closed' | 'cancelled'; since: string };
}

const isWrite = (command: Command) => command.type === 'submit' || command.type === 'book';

export class FlexportPo {
  state: PoState;
  readonly provider: FlexportModel;
  readonly violations: string[] = [];
  readonly requests: RequestRecord[] = [];
  /** The workflow returned: its handlers are gone, signals and updates find it completed. */
  completed = false;
  private readonly queue: CommandQueue<Command>;
  private readonly seen = new EventIdWindow();
  private readonly intake: ProviderEvent[] = [];
  private inFlight?: { command: Command; answer: (outcome: CallOutcome) => void };
  private clock: number;
  /** What asked for each command (the request's cause, a deadline, a follow-up), for the model's versions. */
  private readonly origins = new WeakMap<Command, string>();
  private context = 'follow-up';
  /** Calls the provider carried out though their answer was lost. */
  private readonly applied = new WeakSet<Command>();
  /** An operator's close or cancel that waits for writes in flight: the end sent later is theirs. */
  private queuedEnd?: { status: string; cause: string };
  private writesQueued = 0;
  private deadlineWrites = 0;
  commandsIssued = 0;

  constructor(po: PurchaseOrder, settings: PoSettings, start: number, adopted: boolean) {
    this.clock = start;
    this.provider = new FlexportModel(() => this.now());
    this.queue = new CommandQueue<Command>(
      (command) => this.run(command),
      () => isTerminal(this.state.status),
    );
    if (adopted) {
      this.provider.createOutside(po);
      this.state = adoptLifecycle(
        { provider: 'flexport', providerId: 171001, version: 1, createdAt: this.now(), lineItemIds: this.provider.lineItemIdsNow(), bookings: [], shipments: [], trigger: 'poflow adopt' }, // prettier-ignore
        po,
        settings,
        this.now(),
      );
    } else {
      const started = startLifecycle(po, settings, this.now());
      this.state = started.state;
      this.context = 'submitted';
      this.push(started.commands);
    }
    // As the workflow shell sets them from `patched` for a PO started on this code.
    this.state = { ...this.state, waitsForProviderCalls: true, weighsOwnWrites: true };
    this.tick();
  }

  now(): string {
    return new Date(this.clock).toISOString();
  }

  advance(ms: number): void {
    this.clock += ms;
  }

  get callInFlight(): boolean {
    return this.inFlight !== undefined;
  }

  get busy(): boolean {
    return this.inFlight !== undefined || this.queue.length > 0 || this.intake.length > 0;
  }

  // Operator requests: the update's validator, then the handler (intake drained, rule checked again).
  amend(po: PurchaseOrder): void {
    this.request('amend', { type: 'amend_requested', at: this.now(), po }, () => checkAmend(this.state, po));
  }

  book(booking: Booking): void {
    this.request('book', { type: 'book_requested', at: this.now(), booking }, () => checkBook(this.state, booking)); // prettier-ignore
  }

  close(): void {
    this.request('close', { type: 'close_requested', at: this.now(), cause: 'closed by operator' }, () => checkClose(this.state)); // prettier-ignore
  }

  cancel(reason?: string): void {
    const cause = reason ? `cancelled: ${reason}` : 'cancelled by operator';
    this.request('cancel', { type: 'cancel_requested', at: this.now(), cause }, () =>
      checkCancel(this.state),
    );
  }

  /** A webhook delivery (the signal), applied at the next step unless its id was applied already. */
  deliver(event: ProviderEvent): void {
    if (this.completed) return;
    this.intake.push(event);
    this.tick();
  }

  /** The deadline timer fires at the PO's next deadline. */
  deadline(): void {
    if (this.completed) return;
    const next = nextDeadlines(this.state)[0];
    if (!next) return;
    this.clock = Math.max(this.clock, Date.parse(next.at));
    this.context = 'auto-close';
    const written = this.push(this.reduce({ type: 'deadline_reached', at: this.now() }));
    this.deadlineWrites += written;
    // A deadline may write once; writing again with no new input from anyone is a loop.
    if (this.deadlineWrites > 1) this.violate(`deadline ${next.kind} at ${next.at} wrote to the provider again with nothing new from anyone`); // prettier-ignore
    this.tick();
  }

  /** An input from outside poflow's own loop (a person, the provider's UI): deadlines may write again. */
  newInput(): void {
    this.deadlineWrites = 0;
  }

  answer(outcome: CallOutcome): void {
    const call = this.inFlight;
    if (!call) return;
    if (outcome === 'transient') return;
    if (outcome === 'applied_then_lost') {
      this.perform(call.command);
      this.applied.add(call.command);
      return;
    }
    // A write the provider holds already is not refused when sent again (create-or-update, bookings by name).
    call.answer(outcome === 'refused' && this.applied.has(call.command) ? 'accepted' : outcome);
  }

  /** The main loop's turn: intake drained, the queue started, or the end taken. */
  tick(): void {
    if (this.completed) return;
    this.drain();
    for (const record of this.requests) if (record.awaitingEnd) this.settleEnd(record);
    if (isTerminal(this.state.status) && !this.queue.running) {
      this.queue.refuseAll(`Purchase order ${this.state.name} is already ${this.state.status}`);
      this.completed = true;
      return;
    }
    if (!this.queue.running && this.queue.length > 0) void this.queue.runAll();
  }

  private request(label: string, event: LifecycleEvent, check: () => string | undefined): void {
    this.newInput();
    if (this.completed) return;
    const record: RequestRecord = { label, settled: false };
    this.requests.push(record);
    const validated = check();
    if (validated) {
      Object.assign(record, { settled: true, refusal: validated });
      return;
    }
    this.drain();
    const refusal = check();
    if (refusal) {
      Object.assign(record, { settled: true, refusal });
      return;
    }
    this.context = 'cause' in event ? event.cause : label;
    const endQueued = this.state.endRequested;
    void this.queue
      .request((ticket) => this.push(this.reduce(event), ticket))
      .then((result) => this.settleRequest(record, event, result));
    const queued = this.state.endRequested;
    if (!endQueued && queued?.by === 'operator')
      this.queuedEnd = { status: queued.status, cause: this.context };
    this.tick();
  }

  /** The update handler's answer: a close or cancel queued behind writes waits for its end (`endSettled`). */
  private settleRequest(record: RequestRecord, event: LifecycleEvent, refusal: string | undefined): void {
    const ending = event.type === 'close_requested' ? 'closed' : event.type === 'cancel_requested' ? 'cancelled' : undefined; // prettier-ignore
    const intent = ending === 'closed' ? 'close' : 'cancel';
    const onItsWay = this.state.endRequested?.status === ending || this.state.pending?.intent === intent;
    if (ending && refusal === undefined && onItsWay) {
      record.awaitingEnd = { ending, since: this.now() };
      return;
    }
    Object.assign(record, { settled: true, refusal });
  }

  private settleEnd(record: RequestRecord): void {
    const { ending, since } = record.awaitingEnd!;
    const intent = ending === 'closed' ? 'close' : 'cancel';
    const { status, endRequested, pending, lastError } = this.state;
    const endOnItsWay =
      endRequested !== undefined || pending?.intent === 'close' || pending?.intent === 'cancel';
    if (!isTerminal(status) && endOnItsWay) return;
    let refusal: string | undefined;
    if (isTerminal(status) && status !== ending) refusal = `already ${status}`;
    if (!isTerminal(status)) refusal = lastError?.during === intent && lastError.at >= since ? lastError.message : `not ${ending}`; // prettier-ignore
    Object.assign(record, { settled: true, refusal, awaitingEnd: undefined });
  }

  private drain(): void {
    for (const event of this.intake.splice(0)) {
      if (!this.seen.add(event.id)) continue;
      this.context = 'follow-up';
      this.push(this.reduce({ type: 'provider_event', at: this.now(), event }));
    }
  }

  private reduce(event: LifecycleEvent): Command[] {
    const before = this.state;
    const { state, commands } = reduce(before, event);
    this.state = state;
    if (!isTerminal(before.status) && isTerminal(state.status)) {
      // The end write itself may still be on its way (its echo came first): any other write is lost.
      const ending = (command: Command) => command.type === 'submit' && command.body.status === state.status;
      const inFlight =
        this.inFlight && isWrite(this.inFlight.command) && !ending(this.inFlight.command) ? 1 : 0;
      const outstanding = this.writesQueued + inFlight;
      if (outstanding > 0)
        this.violate(`became ${state.status} with ${outstanding} provider write(s) outstanding`);
    }
    return commands;
  }

  /** Queues commands; returns how many of them write to the provider. */
  private push(commands: Command[], ticket?: Ticket): number {
    for (const command of commands) {
      const queuedEnd = this.context === 'follow-up' && command.type === 'submit' && command.body.status === this.queuedEnd?.status; // prettier-ignore
      this.origins.set(command, queuedEnd ? this.queuedEnd!.cause : this.context);
      if (queuedEnd) this.queuedEnd = undefined;
    }
    const writes = commands.filter(isWrite).length;
    this.writesQueued += writes;
    this.commandsIssued += commands.length;
    this.queue.push(commands, ticket);
    return writes;
  }

  /** `runCommand` (workflows/flexport/commands.ts) against the model. */
  private async run(command: Command): Promise<string | undefined> {
    if (command.type === 'alert') return undefined;
    if (isWrite(command)) {
      this.writesQueued -= 1;
      if (isTerminal(this.state.status)) this.violate(`${describe(command)} sent after the PO became ${this.state.status}`); // prettier-ignore
    }
    const outcome = await new Promise<CallOutcome>((answer) => (this.inFlight = { command, answer }));
    this.inFlight = undefined;
    const at = this.now();
    this.context = 'follow-up';
    if (outcome === 'refused') {
      if (command.type === 'read') return undefined;
      const during = command.type === 'book' ? 'book' : command.type === 'submit' ? command.intent : 'book';
      const message = 'refused by the provider model';
      this.push(this.reduce({ type: 'provider_rejected', at, during, status: 422, message }));
      return message;
    }
    const answer = this.perform(command);
    if (!answer) return undefined;
    if (!answer.ok) {
      const during = command.type === 'submit' ? command.intent : 'book';
      this.push(this.reduce({ type: 'provider_rejected', at, during, status: answer.status, message: answer.message })); // prettier-ignore
      return answer.message;
    }
    if (command.type === 'submit') {
      this.push(this.reduce({ type: 'submission_accepted', at, intent: command.intent, body: command.body, ...(answer.value as { providerId: number; version: number; lineItemIds: Record<string, number> }) })); // prettier-ignore
    } else if (command.type === 'book') {
      this.push(this.reduce({ type: 'booking_created', at, ...(answer.value as { name: string; providerId: number; status: string; lines: { itemKey: string; units: number }[] }) })); // prettier-ignore
    } else if (command.type === 'read') {
      this.push(this.reduce({ type: 'provider_snapshot', at, snapshot: this.provider.snapshot() }));
    }
    return undefined;
  }

  /** The provider carries out a command (a write lands, a read is answered). */
  private perform(command: Command) {
    switch (command.type) {
      case 'submit': {
        if (this.provider.body && this.provider.endedBy('poflow') && command.body.status === 'open') {
          this.violate(`${describe(command)} reopened the PO at the provider after poflow ended it`);
        }
        return this.provider.write(command.body, command.intent, this.origins.get(command) ?? 'follow-up');
      }
      case 'book':
        return this.provider.book(command.plan);
      case 'read':
        return { ok: true as const, value: undefined };
      case 'alert':
        return undefined;
    }
  }

  violate(message: string): void {
    this.violations.push(`${this.now()} ${message}`);
  }
}

function describe(command: Command): string {
  return command.type === 'submit'
    ? `a ${command.intent} (status ${command.body.status})`
    : `a ${command.type}`;
}
