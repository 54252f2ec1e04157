/**
 * Today's workflow code must replay the histories recorded from earlier code
 * (test/histories, written by `npx tsx test/record-histories.ts`). A change that would break
 * running POs fails here; guard such a change with `patched()`.
 */
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedHistory } from './record-histories';
import { workerDefaults } from './support/temporal';

const HISTORIES_DIR = path.join(__dirname, 'histories');

function load(file: string): { workflowId: string; history: temporal.api.history.v1.History } {
  const recorded = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as RecordedHistory;
  const history = temporal.api.history.v1.History.decode(Buffer.from(recorded.historyBase64, 'base64'));
  return { workflowId: recorded.workflowId, history };
}

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

test('there are recorded histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(3);
});

test('every recorded history replays on the current workflow code', async () => {
  const results = Worker.runReplayHistories(workerDefaults, files.map(load));
  const outcomes: { workflowId: string; error?: unknown }[] = [];
  for await (const result of results) outcomes.push({ workflowId: result.workflowId, error: result.error });
  expect(outcomes).toHaveLength(files.length);
  expect(outcomes.filter((o) => o.error)).toEqual([]);
});

test('a history that disagrees with the code is caught (the replay test can fail)', async () => {
  const { workflowId, history } = load(files[0]!);
  const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
  await expect(Worker.runReplayHistory(workerDefaults, history, workflowId)).rejects.toBeInstanceOf(
    DeterminismViolationError,
  );
});
