/**
 * What the reusable V8 context loads once and shares, frozen, across every workflow instead of
 * evaluating it again per workflow (`preloadModules`, worker/workflow-bundle.ts): zod itself, and
 * no stack traces in workflow code. The schemas stay per workflow: zod fills some of a schema's
 * members in on first use, which a frozen schema refuses.
 */
import { z } from 'zod';

// zod installs its defaults (locale, memoizer) in its global config when the first schema and the
// first container are built: build them now, while that config can still change. The replay test
// fails loudly if a zod upgrade adds another such default.
z.object({ preloaded: z.string() });

/**
 * The SDK captures a stack trace, mapped through the bundle's source map, for every promise a
 * workflow creates (for its `__stack_trace` query): five or so per signal, 70 % of a PO's CPU
 * under a flood of signals (bench/flood.ts --raw). Its capture follows this context's limit, and
 * the context is frozen after this module runs. Failures keep their type and message; the Web UI's
 * stack trace view of a PO shows no frames.
 */
Error.stackTraceLimit = 0;

export { z };
