/**
 * A PO's commands, run one at a time in the order its reducer asked for them. An operator's
 * request holds a ticket: its update waits for the commands its own event produced, and settles
 * with the first refusal among them. Workflow code only.
 */
export interface Ticket {
  open: number;
  refusal?: string;
  settle: (refusal: string | undefined) => void;
}

export interface Job<C> {
  command: C;
  ticket?: Ticket;
}

export class CommandQueue<C> {
  private readonly jobs: Job<C>[] = [];
  private runningFlag = false;

  /** `run` resolves with the provider's refusal, if any; no command runs once `ended`. */
  constructor(
    private readonly run: (command: C) => Promise<string | undefined>,
    private readonly ended: () => boolean,
  ) {}

  get length(): number {
    return this.jobs.length;
  }

  /** The queue is being worked through (beside the main loop). */
  get running(): boolean {
    return this.runningFlag;
  }

  /** Queues commands, on a request's ticket when one is given. */
  push(commands: readonly C[], ticket?: Ticket): void {
    for (const command of commands) {
      if (ticket) ticket.open += 1;
      this.jobs.push({ command, ticket });
    }
  }

  /** Settles when the commands that `enqueue` queued on the ticket have run (at once if none). */
  request(enqueue: (ticket: Ticket) => void): Promise<string | undefined> {
    return new Promise((settle) => {
      const ticket: Ticket = { open: 0, settle };
      enqueue(ticket);
      if (ticket.open === 0) settle(undefined);
    });
  }

  /** Runs the queued commands, one at a time, until none is left or the PO has ended. */
  async runAll(): Promise<void> {
    this.runningFlag = true;
    try {
      // `ended` is asked before a job is taken: a job taken is always settled, one left is refused
      // by `refuseAll`.
      while (this.jobs.length > 0 && !this.ended()) {
        const job = this.jobs.shift()!;
        let refusal: string | undefined;
        try {
          refusal = await this.run(job.command);
        } catch (err) {
          settle(job, `failed: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
        settle(job, refusal);
      }
    } finally {
      this.runningFlag = false;
    }
  }

  /** The next command, for a caller that runs it itself and then calls `settle`. */
  shift(): Job<C> | undefined {
    return this.jobs.shift();
  }

  settle(job: Job<C>, refusal: string | undefined): void {
    settle(job, refusal);
  }

  /** Work queued behind the end is refused. */
  refuseAll(refusal: string): void {
    for (const job of this.jobs.splice(0)) settle(job, refusal);
  }
}

function settle<C>(job: Job<C>, refusal: string | undefined): void {
  const { ticket } = job;
  if (!ticket) return;
  ticket.refusal ??= refusal;
  ticket.open -= 1;
  if (ticket.open === 0) ticket.settle(ticket.refusal);
}
