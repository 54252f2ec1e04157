/** The shaped limit behind Flxpoint's guarantee: no burst, every turn a full interval after the last. */
import { RequestPacer } from '../activities/pacer';

const INTERVAL_MS = 100;

/** Whether `turn` is granted without waiting on any timer: it wins against the next macrotask. */
function grantedAtOnce(turn: Promise<void>): Promise<boolean> {
  const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), 0));
  return Promise.race([turn.then(() => true), timer]);
}

test('turns asked for all at once are granted one interval apart, the first at once', async () => {
  // Each grant's time as the pacer read it: a turn's callback runs before the next turn reads the
  // clock. Reading performance.now() in the callback instead measures when the callback ran, which
  // a busy machine delays (a fresh-clone run saw a 99.2 ms gap between two such readings).
  let reading = 0;
  const pacer = new RequestPacer(INTERVAL_MS, () => (reading = performance.now()));
  const turns = Array.from({ length: 6 }, () => pacer.turn().then(() => reading));
  expect(await grantedAtOnce(turns[0]!.then(() => undefined))).toBe(true);
  const granted = await Promise.all(turns);
  const gaps = granted.slice(1).map((at, i) => at - granted[i]!);
  expect(gaps.filter((gap) => gap < INTERVAL_MS)).toEqual([]);
});

test('a turn given up before it comes is not taken: the next caller gets it', async () => {
  let now = 0;
  const pacer = new RequestPacer(INTERVAL_MS, () => now);
  await pacer.turn();
  const abandoned = new AbortController();
  const given = pacer.turn(abandoned.signal);
  now = 50;
  abandoned.abort();
  await expect(given).rejects.toThrow(/aborted/);
  now = INTERVAL_MS;
  // Had the abandoned turn been taken at 50, this one would wait until 150.
  expect(await grantedAtOnce(pacer.turn())).toBe(true);
  const next = pacer.turn();
  expect(await grantedAtOnce(next)).toBe(false);
  now = 2 * INTERVAL_MS;
  await next;
});
