#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx compiles on the fly.
require('tsx/cjs');
require('../client/cli.ts');
