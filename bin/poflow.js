#!/usr/bin/env node
// Runs the compiled CLI, rebuilding it first (esbuild, well under a second) when a source changed.
require(require('../scripts/build').ensureBuilt());
