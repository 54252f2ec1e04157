/**
 * Schemas built once per worker thread and shared by every workflow in it.
 *
 * The reusable V8 context evaluates each workflow's modules again for every workflow it runs: a
 * cached PO kept its own copy of every zod schema poflow defines (about 460 KiB, and 86 ms to
 * create at load 13; scratch/vmmem measured it), paid again by every replay after an eviction.
 * This module is preloaded into the context once (`preloadModules`, worker/workflow-bundle.ts)
 * and the SDK freezes what it exports; zod fills its schemas in on first use, which frozen
 * schemas refuse. So the schemas live in this closure, out of the SDK's reach: the first
 * workflow to ask builds them, every later one gets the same ones. Building and parsing are
 * deterministic, and nothing a parse caches changes what a parse returns.
 */
const built = new Map<string, unknown>();

/** `build()`'s result, made on the first call for `key` in this thread and returned ever after. */
export function buildOnce<T>(key: string, build: () => T): T {
  if (!built.has(key)) built.set(key, build());
  return built.get(key) as T;
}
