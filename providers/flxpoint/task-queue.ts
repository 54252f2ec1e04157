/**
 * Flxpoint's calls run on a task queue of their own, rate-limited by the worker to its 2 requests a
 * second.
 */
export const FLXPOINT_TASK_QUEUE = 'poflow-flxpoint';
