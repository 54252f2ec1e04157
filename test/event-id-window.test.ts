/** The dedupe window of provider event ids: bounded, O(1) per id, rebuilt from its ids. */
import { EventIdWindow, MAX_SEEN_EVENTS } from '../workflows/core/event-id-window';

test('an id is new once; a duplicate is recognised', () => {
  const window = new EventIdWindow();
  expect(window.add(7)).toBe(true);
  expect(window.add(8)).toBe(true);
  expect(window.add(7)).toBe(false);
  expect(window.ids()).toEqual([7, 8]);
});

test('the window keeps the newest ids and forgets the oldest first', () => {
  const window = new EventIdWindow([], 3);
  for (const id of [1, 2, 3, 4, 5]) window.add(id);
  expect(window.ids()).toEqual([3, 4, 5]);
  expect(window.has(2)).toBe(false);
  expect(window.add(3)).toBe(false);
  expect(window.add(2)).toBe(true); // forgotten, so new again
  expect(window.ids()).toEqual([4, 5, 2]);
});

test('rebuilt from its ids (continue-as-new), it recognises the same duplicates', () => {
  const first = new EventIdWindow([], 1000);
  for (let id = 1; id <= 2500; id++) first.add(id * 3);
  const resumed = new EventIdWindow(first.ids(), 1000);
  expect(resumed.ids()).toEqual(first.ids());
  expect(resumed.add(2500 * 3)).toBe(false);
  expect(resumed.add(1500 * 3)).toBe(true);
});

test('the default window holds MAX_SEEN_EVENTS ids', () => {
  const window = new EventIdWindow();
  for (let id = 1; id <= MAX_SEEN_EVENTS + 10; id++) window.add(id);
  expect(window.size).toBe(MAX_SEEN_EVENTS);
  expect(window.ids()[0]).toBe(11);
});
