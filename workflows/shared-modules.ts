/**
 * What the reusable V8 context loads once and shares, frozen, across every workflow instead of
 * evaluating it again per workflow (`preloadModules`, worker/workflow-bundle.ts): zod itself. The
 * schemas stay per workflow: zod fills some of a schema's members in on first use, which a frozen
 * schema refuses.
 */
import { z } from 'zod';

// zod installs its defaults (locale, memoizer) in its global config when the first schema and the
// first container are built: build them now, while that config can still change. The replay test
// fails loudly if a zod upgrade adds another such default.
z.object({ preloaded: z.string() });

export { z };
