#!/usr/bin/env node
/**
 * The compiled CLI: esbuild bundles `client/cli.ts` and everything of ours it imports into
 * `dist/poflow.js` (and the sandbox's thread entry into `dist/sandbox-thread.js`); packages in
 * node_modules stay `require`s, so a command loads only the packages it uses. `npm ci` runs this
 * through `prepare`, and `bin/poflow.js` runs it again whenever one of the bundle's sources is
 * newer than the bundle, so development needs no build step and a test's `poflow` subprocess
 * always runs the code under test.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'poflow.js');
// The project files the bundle was built from: a change to any of them means a rebuild.
const INPUTS = path.join(ROOT, 'dist', 'poflow.inputs.json');

function build() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: { poflow: 'client/cli.ts', 'sandbox-thread': 'sandbox/thread.ts' },
    outdir: path.dirname(OUT),
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  // buildSync leaves esbuild's service process running (about 40 MiB) for the rest of the command's life.
  esbuild.stop();
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const inputs = [...Object.keys(result.metafile.inputs), 'scripts/build.js'];
  // Several `poflow` processes may rebuild at once: each writes its own file and renames it into
  // place, so a reader sees a whole old file or a whole new one.
  const write = (file, contents) => {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, contents);
    fs.renameSync(temporary, file);
  };
  for (const output of result.outputFiles) if (output.path !== OUT) write(output.path, output.contents);
  write(INPUTS, JSON.stringify(inputs));
  write(OUT, result.outputFiles.find((output) => output.path === OUT).contents);
  return OUT;
}

function isFresh() {
  try {
    const built = fs.statSync(OUT).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(INPUTS, 'utf8'));
    return inputs.every((input) => fs.statSync(path.join(ROOT, input)).mtimeMs <= built);
  } catch {
    // No bundle yet, or a source was deleted or renamed.
    return false;
  }
}

/** The path of a bundle built from the current sources. */
function ensureBuilt() {
  return isFresh() ? OUT : build();
}

module.exports = { build, ensureBuilt, isFresh, OUT };

if (require.main === module) build();
