/**
 * The names closest to a mistyped one, for "did you mean": edit distance (insertions, deletions,
 * substitutions, and two neighbours swapped, each 1) at most `MAX_DISTANCE`, nearest first.
 */
export const MAX_DISTANCE = 2;

/** At most `limit` of `candidates` within `MAX_DISTANCE` of `name` (never `name` itself), nearest first. */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === name) continue;
    const distance = editDistance(name, candidate, MAX_DISTANCE);
    if (distance <= MAX_DISTANCE) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  const nearest = scored[0]?.distance;
  return scored
    .filter((s) => s.distance === nearest)
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** The optimal string alignment distance of `a` and `b`, or `max + 1` as soon as it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, beforePrevious[j - 2]! + 1);
      }
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, max + 1);
}
