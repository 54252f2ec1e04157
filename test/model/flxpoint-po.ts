/**
 * One Flxpoint PO driven the way its workflow drives it (workflows/flxpoint/workflow.ts), without
 * Temporal: the real reducer, its commands run one at a time inside the main loop (Flxpoint's shell
 * keeps a plain list, not the Flexport `CommandQueue`: an update waits for the state to settle,
 * not for its own commands), the one polling timer, and the `amend` and `cancel` updates (validator,
 * then handler, then the handler's wait). Each call's answer arrives only when the scenario says so.
 * Every invariant the model-based test checks during a run is checked here, as it happens.
 */
import {
  checkFlxpointAmend,
  checkFlxpointCancel,
  nextPollAt,
  reduceFlxpoint,
  startFlxpointLifecycle,
  type FlxpointCommand,
  type FlxpointEvent,
  type FlxpointPoState,
} from '../../workflows/flxpoint/lifecycle';
import { adoptFlxpointLifecycle } from '../../workflows/flxpoint/adoption';
import type { FlxpointPoStatus, FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';
import type { PoSettings } from '../../workflows/core/settings';
import { isTerminal } from '../../workflows/core/status';
import { FlxpointModel, snapshot, type Answer } from './flxpoint-provider';

/** How Flxpoint answers the call in flight. */
export type CallOutcome =
  /** Flxpoint carries it out and answers as it would (the PO, or its own 404 / 409). */
  | 'accepted'
  /** A 401 (the token revoked or rotated meanwhile): refused, nothing applied. */
  | 'refused'
  /** Applied, but the answer was lost (a timeout): Temporal sends it again later. */
  | 'applied_then_lost'
  /** A 429 with Retry-After, a 5xx, a timeout before it was applied: Temporal retries. */
  | 'transient';

export interface RequestRecord {
  label: string;
  settled: boolean;
  refusal?: string;
}

/** Statuses at which poflow no longer cancels: Flxpoint has sent the PO to its source (lifecycle.ts). */
const SENT_TO_SOURCE: readonly string[] = ['processed', 'acknowledged', 'cross_docked', 'transferred'];

export class FlxpointPo {
  state: FlxpointPoState;
  readonly provider = new FlxpointModel();
  readonly violations: string[] = [];
  readonly requests: RequestRecord[] = [];
  /** The causes of the operator's cancels, as the handler applied them. */
  readonly cancelCauses: string[] = [];
  /** The workflow returned: updates find it completed. */
  completed = false;
  commandsIssued = 0;
  /** Flxpoint's revision when poflow last had a PO in an answer. */
  seenRevision = -1;
  private readonly commands: FlxpointCommand[] = [];
  private inFlight?: FlxpointCommand;
  /** The call in flight has been sent before (Temporal retries it). */
  private retried = false;
  private readonly waiting: { record: RequestRecord; kind: 'amend' | 'cancel' }[] = [];
  private clock: number;

  constructor(po: FlxpointPurchaseOrder, settings: PoSettings, start: number, adopted?: FlxpointPoStatus) {
    this.clock = start;
    if (adopted) {
      // Made in Flxpoint's UI and moved on there, then `poflow adopt` (which refuses voided or canceled ones).
      this.provider.create(po, { by: 'outside', change: 'created' });
      if (adopted !== 'unprocessed') this.provider.move(po.purchaseOrderNumber, adopted);
      const made = this.provider.byNumber(po.purchaseOrderNumber)!;
      this.state = adoptFlxpointLifecycle(po, settings, { po: snapshot(made), trigger: 'poflow adopt' }, this.now()); // prettier-ignore
      this.seenRevision = this.provider.revision;
    } else {
      const started = startFlxpointLifecycle(po, settings, this.now());
      this.state = started.state;
      this.push(started.commands);
    }
    // As the workflow shell sets them from `patched` for a PO started on this code.
    this.state = { ...this.state, ...CURRENT_PATCHES };
    this.tick();
  }

  now(): string {
    return new Date(this.clock).toISOString();
  }

  advance(ms: number): void {
    this.clock += ms;
  }

  get call(): FlxpointCommand | undefined {
    return this.inFlight;
  }

  /** Something left to do without a new input: a call in flight or queued, a handler waiting. */
  get busy(): boolean {
    return this.inFlight !== undefined || this.commands.length > 0;
  }

  // ---- operator requests: the update's validator, then its handler ----

  amend(po: FlxpointPurchaseOrder): void {
    const record = this.request('amend', () => checkFlxpointAmend(this.state, po));
    if (!record) return;
    this.apply({ type: 'amend_requested', at: this.now(), po });
    this.waiting.push({ record, kind: 'amend' });
    this.tick();
  }

  cancel(reason?: string): void {
    const record = this.request('cancel', () => checkFlxpointCancel(this.state));
    if (!record) return;
    const cause = reason || 'cancelled by operator';
    this.cancelCauses.push(cause);
    this.apply({ type: 'cancel_requested', at: this.now(), cause });
    this.waiting.push({ record, kind: 'cancel' });
    this.tick();
  }

  /** The polling timer fires: the main loop waits (no call), and the read is due. */
  poll(): boolean {
    if (this.completed || this.busy) return false;
    const at = nextPollAt(this.state);
    if (at === undefined) return false;
    this.clock = Math.max(this.clock, Date.parse(at));
    this.apply({ type: 'poll_due', at: this.now() });
    this.tick();
    return true;
  }

  /** Flxpoint answers the call in flight (or not: it stays in flight, Temporal retries it). */
  answer(outcome: CallOutcome): void {
    const command = this.inFlight;
    if (!command) return;
    if (outcome === 'transient') {
      this.retried = true;
      return;
    }
    if (outcome === 'applied_then_lost') {
      this.perform(command);
      this.retried = true;
      return;
    }
    const answer: Answer =
      outcome === 'refused' ? { ok: false, status: 401, message: 'Missing or invalid X-API-TOKEN' } : this.perform(command); // prettier-ignore
    // The read-back found no PO with the number yet: retryable, still in flight.
    if (!answer.ok && 'retry' in answer) return;
    this.inFlight = undefined;
    const at = this.now();
    // The shell's `refusedOnRetry`: the activity names the attempt of a create refused on a retry.
    const mayHaveLanded = command.type === 'adopt' || (command.type === 'create' && this.retried);
    this.retried = false;
    // A refusal tells poflow nothing of the PO: it has to read it again.
    this.seenRevision = answer.ok ? this.provider.revision : -1;
    const event = eventFor(command, answer, at);
    this.apply(event.type === 'refused' && mayHaveLanded ? { ...event, mayHaveLanded } : event);
    this.tick();
  }

  /** The main loop's turn: the end taken, handlers' waits re-checked, the next call sent. */
  tick(): void {
    if (this.completed) return;
    this.settleWaiting();
    if (isTerminal(this.state.status)) {
      // The loop leaves at the end; the workflow returns once its handlers are done.
      if (this.waiting.length === 0 && !this.inFlight) this.completed = true;
      return;
    }
    if (!this.inFlight && this.commands.length > 0) {
      const command = this.commands.shift()!;
      this.inFlight = command;
      this.sent(command);
    }
    if (this.state.pending && !this.busy)
      this.violate(`waits for a ${this.state.pending.intent} that is not sent`);
  }

  private request(label: string, check: () => string | undefined): RequestRecord | undefined {
    const record: RequestRecord = { label, settled: false };
    this.requests.push(record);
    if (this.completed) {
      Object.assign(record, { settled: true, refusal: 'workflow execution already completed' });
      return undefined;
    }
    const refusal = check();
    if (refusal) {
      Object.assign(record, { settled: true, refusal });
      return undefined;
    }
    return record;
  }

  /** The handlers' `condition`s, as workflow.ts writes them. */
  private settleWaiting(): void {
    const { state } = this;
    for (const wait of [...this.waiting]) {
      const done =
        wait.kind === 'amend'
          ? state.pending === undefined || isTerminal(state.status)
          : isTerminal(state.status) || (!state.pending && state.cancelAfterCreate === undefined);
      if (!done) continue;
      this.waiting.splice(this.waiting.indexOf(wait), 1);
      wait.record.settled = true;
      if (wait.kind === 'cancel' && !isTerminal(state.status) && state.lastError?.during === 'cancel') {
        wait.record.refusal = state.lastError.message;
      } else if (wait.kind === 'amend' && state.status === 'needs_attention') {
        wait.record.refusal = state.lastError?.message ?? 'needs attention';
      }
    }
  }

  private apply(event: FlxpointEvent): void {
    const before = this.state;
    const { state, commands } = reduceFlxpoint(before, event);
    this.state = state;
    if (!isTerminal(before.status) && isTerminal(state.status)) {
      const creates = [this.inFlight, ...this.commands, ...commands].filter(
        (c) => c?.type === 'create',
      ).length;
      if (creates > 0) this.violate(`became ${state.status} with ${creates} create(s) outstanding`);
    }
    const { nextPoll, poll } = state;
    if (
      nextPoll &&
      (nextPoll.afterMs < poll.firstSeconds * 1000 || nextPoll.afterMs > poll.maxSeconds * 1000)
    ) {
      this.violate(`polls ${nextPoll.afterMs} ms apart, outside its schedule`);
    }
    this.push(commands);
  }

  private push(commands: FlxpointCommand[]): void {
    this.commandsIssued += commands.length;
    this.commands.push(...commands);
  }

  /** A call leaves for Flxpoint: the rules poflow keeps before it writes. */
  private sent(command: FlxpointCommand): void {
    const { state } = this;
    if ((command.type === 'create' || command.type === 'cancel') && isTerminal(state.status)) {
      this.violate(`a ${command.type} sent after the PO became ${state.status}`);
    }
    if (command.type === 'cancel' && state.flxpointStatus && SENT_TO_SOURCE.includes(state.flxpointStatus)) {
      this.violate(`a cancel sent though poflow read the PO as ${state.flxpointStatus} (sent to the source)`);
    }
  }

  /** Flxpoint carries out a call (a create lands, a cancel ends the PO, a read is answered). */
  private perform(command: FlxpointCommand): Answer {
    switch (command.type) {
      case 'create':
        return this.provider.create(command.body, { by: 'poflow', call: 'create', cause: this.state.pending?.cause ?? 'submitted' }); // prettier-ignore
      case 'adopt':
        return this.provider.adopt(command.body);
      case 'read':
        return this.provider.read(command.id);
      case 'find':
        return this.provider.find(command.body);
      case 'cancel':
        return this.provider.cancel(command.id, command.reason, { by: 'poflow', call: 'cancel', cause: command.reason }); // prettier-ignore
    }
  }

  violate(message: string): void {
    this.violations.push(`${this.now()} ${message}`);
  }
}

/** The shell's `run`: each call's answer, or its refusal, as the reducer's event. */
function eventFor(command: FlxpointCommand, answer: Answer, at: string): FlxpointEvent {
  if (!answer.ok) {
    if ('retry' in answer) throw new Error('a retryable answer is no event');
    if (command.type === 'create' && answer.status === 409) return { type: 'number_in_use', at };
    const during = command.type === 'adopt' ? 'create' : command.type === 'find' ? 'read' : command.type;
    return { type: 'refused', at, during, status: answer.status, message: answer.message };
  }
  if (command.type === 'find') return { type: 'found', at, po: answer.po };
  const po = answer.po!;
  switch (command.type) {
    case 'create':
      return { type: 'created', at, po, adopted: false };
    case 'adopt':
      return { type: 'created', at, po, adopted: true };
    case 'read':
      return { type: 'read', at, po, answering: 'poll' };
    case 'cancel':
      return { type: 'read', at, po, answering: 'cancel' };
  }
}

/** The state flags the shell sets from `patched` for a PO started on the current code. */
export const CURRENT_PATCHES: Partial<FlxpointPoState> = { cancelReadsFlxpoint: true, cancelChecksFlxpoint: true }; // prettier-ignore
