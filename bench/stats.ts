/** Small statistics for the benchmark's figures. */

/** The q-quantile (0..1) of `values` by nearest rank; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Latency {
  p50Ms: number;
  p99Ms: number;
}

export function latencyOf(millis: readonly number[]): Latency {
  return { p50Ms: quantile(millis, 0.5), p99Ms: quantile(millis, 0.99) };
}

/** Runs `task(i)` for i in [0, count) with at most `inFlight` at once. */
export async function pool(
  count: number,
  inFlight: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
