/** The sandbox's log of Flxpoint requests, and the window the rate-limit guarantee is counted over. */
import got from 'got';
import type { LoggedRequest } from '../../sandbox/flxpoint/request-log';

export type { LoggedRequest };

export const WINDOW_MS = 5_000;
export const MAX_PER_WINDOW = 10;

/** Every Flxpoint request the sandbox at `sandboxUrl` answered (its last 10,000). */
export async function flxpointRequests(sandboxUrl: string): Promise<LoggedRequest[]> {
  const { requests } = await got
    .get(`${sandboxUrl}/_sandbox/flxpoint/requests`)
    .json<{ requests: LoggedRequest[] }>();
  return requests;
}

/**
 * The most requests poflow sent in any window of WINDOW_MS (every window starts at some request),
 * by the time each was sent: the arrival times also carry this machine's scheduling delays,
 * which on a loaded machine bunch requests sent 550 ms apart.
 */
export function busiestWindow(log: LoggedRequest[]): { from: number; count: number } {
  const times = log.map((r) => r.sentAt!).sort((a, b) => a - b);
  let busiest = { from: 0, count: 0 };
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end]! < times[start]! + WINDOW_MS) end++;
    if (end - start > busiest.count) busiest = { from: times[start]!, count: end - start };
  }
  return busiest;
}

/** The numbers that Flxpoint does not hold exactly once: lost, or made twice. */
export async function notCreatedOnce(sandboxUrl: string, numbers: readonly string[]): Promise<string[]> {
  const all = await got.get(`${sandboxUrl}/_sandbox/flxpoint/purchase-orders`).json<{ purchaseOrderNumber: string }[]>(); // prettier-ignore
  const times = (number: string) => all.filter((po) => po.purchaseOrderNumber === number).length;
  return numbers.filter((number) => times(number) !== 1);
}
