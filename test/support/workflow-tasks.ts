/**
 * How a workflow's tasks went, read from its histories: one report per run of its chain of
 * continue-as-new. Used by the flood test (no task near its timeout) and bench/flood.ts (the
 * longest task under a flood, the figure issue #11 puts at under a second).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface RunReport {
  runId: string;
  longestTaskMs: number;
  /** Tasks over 300 ms: `<event id>:<ms>:<first task of the run | after a failed task | ->` */
  slowTasks: string[];
  /** Tasks that took a second or more. */
  tasksOverOneSecond: number;
  failedTasks: string[];
  timedOutTasks: number;
  /** Signals and updates: the messages that carried the events. */
  messages: number;
}

/** Every run of the workflow's chain of continue-as-new, from `firstRunId` on. */
export async function runReports(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const report: RunReport = { runId, longestTaskMs: 0, slowTasks: [], tasksOverOneSecond: 0, failedTasks: [], timedOutTasks: 0, messages: 0 }; // prettier-ignore
    let startedAt = 0;
    let tasks = 0;
    let next: string | undefined;
    for (const e of history.events ?? []) {
      const at = Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
      if (e.workflowTaskStartedEventAttributes) startedAt = at;
      if (e.workflowTaskCompletedEventAttributes) {
        const ms = at - startedAt;
        report.longestTaskMs = Math.max(report.longestTaskMs, ms);
        const kind = tasks++ === 0 ? 'first' : report.failedTasks.length > 0 ? 'after failure' : '-';
        if (ms > 300) report.slowTasks.push(`${e.eventId}:${ms}:${kind}`);
        if (ms >= 1_000) report.tasksOverOneSecond += 1;
      }
      if (e.workflowTaskFailedEventAttributes) report.failedTasks.push(temporal.api.enums.v1.WorkflowTaskFailedCause[e.workflowTaskFailedEventAttributes.cause ?? 0]!); // prettier-ignore
      if (e.workflowTaskTimedOutEventAttributes) report.timedOutTasks += 1;
      if (e.workflowExecutionSignaledEventAttributes || e.workflowExecutionUpdateAcceptedEventAttributes) report.messages += 1; // prettier-ignore
      next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
    }
    reports.push(report);
    runId = next;
  }
  return reports;
}
