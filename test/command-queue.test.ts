/** The PO's command queue on its own: every request's ticket settles, whatever ends the PO meanwhile. */
import { CommandQueue } from '../workflows/core/command-queue';

/** A queue whose commands wait until the test answers them. */
function queueOf(ended: () => boolean) {
  const answers: ((refusal: string | undefined) => void)[] = [];
  const ran: string[] = [];
  const queue = new CommandQueue<string>(
    (command) =>
      new Promise((answer) => {
        ran.push(command);
        answers.push(answer);
      }),
    ended,
  );
  return { queue, answers, ran };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a job taken when the PO has just ended is settled, not dropped (finding 2)', async () => {
  let ended = false;
  const { queue, answers, ran } = queueOf(() => ended);
  const first = queue.request((ticket) => queue.push(['amend A'], ticket));
  const second = queue.request((ticket) => queue.push(['amend B'], ticket));
  const running = queue.runAll();
  await settle();
  // The PO is closed at the provider while amend A is in flight.
  ended = true;
  answers[0]!(undefined);
  await running;
  queue.refuseAll('Purchase order PO-1 is already closed');
  expect(ran).toEqual(['amend A']);
  await expect(first).resolves.toBeUndefined();
  await expect(second).resolves.toBe('Purchase order PO-1 is already closed');
  expect(queue.running).toBe(false);
});

test('a command that throws settles its ticket and the queue is not left running', async () => {
  const queue = new CommandQueue<string>(
    () => Promise.reject(new Error('boom')),
    () => false,
  );
  const request = queue.request((ticket) => queue.push(['amend'], ticket));
  await expect(queue.runAll()).rejects.toThrow('boom');
  await expect(request).resolves.toBe('failed: boom');
  expect(queue.running).toBe(false);
});
