/**
 * `npm run chaos` in small: each part in its own process, one SIGKILL of each kind, provider and
 * webhook faults, operators' commands during the storm; then the invariants against the sandbox's
 * own records. The same code as the full run, at a size CI can afford.
 */
import { describeReport, runChaos } from '../scripts/chaos';

test('24 POs through kills, faults and operators end the same in poflow and at the provider', async () => {
  const report = await runChaos({
    pos: 24,
    workerKills: 1,
    killEvery: 5,
    settleTimeout: 300,
    seed: 12,
    log: () => {},
  });
  // The summary says what went wrong, should anything.
  expect({ violations: report.violations, summary: describeReport(report) }).toEqual({
    violations: [],
    summary: expect.any(String),
  });
  expect(report.kills).toEqual({ temporal: 1, sandbox: 1, webhooks: 1, worker: 1 });
  expect(report.providerPurchaseOrders).toBe(24);
  expect(report.actions.cancel.done + report.actions.cancel.in_progress).toBeGreaterThan(0);
  expect(report.poflowStatuses.cancelled).toBeGreaterThan(0);
  expect(report.providerBookings).toBeGreaterThan(0);
}, 900_000);
