// @ts-check
/**
 * Which folder may import which: `npm run lint:deps`, part of `npm run lint` and CI. Type-only
 * imports count (`tsPreCompilationDeps`): `import type` vanishes from the JavaScript, not from the
 * design, and a cycle closed by one is still a cycle. Each rule says why it holds.
 */

/** Every project folder a rule can name; npm packages and Node built-ins never match it. */
const PROJECT =
  '^(workflows|activities|infra|worker|webhooks|client|codec|sandbox|providers|bench|scripts|test|bin)/';

/**
 * The payload codec itself (AES-256-GCM and its keys): every process that talks to Temporal encrypts
 * with it, so it is a library to them. The codec server (codec/server.ts) is a process of its own.
 */
const PAYLOAD_CODEC = '^codec/(aes-gcm|keys)\\.ts$';

/** A rule: no module matching `from` imports a module matching `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No module reaches itself through its imports, type-only imports included: a cycle makes ' +
        'load order matter and ties every module in it into one unit that can only change together.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid(
      'infra-imports-no-project-folder',
      'infra/ (logger, metrics registry, operations server) is what every process stands on: it ' +
        'imports only Node and npm packages, so any folder may use it and it can never close a cycle.',
      { path: '^infra/' },
      { path: PROJECT, pathNot: '^infra/' },
    ),
    forbid(
      'workflows-import-only-workflows',
      'workflows/ is the deterministic workflow bundle: nothing in it may do IO or pull IO code into ' +
        'the bundle, so every import that survives compilation stays inside workflows/.',
      { path: '^workflows/' },
      { path: PROJECT, pathNot: '^workflows/', dependencyTypesNot: ['type-only'] },
    ),
    forbid(
      'workflows-import-types-only-of-their-activities',
      'The one way out of workflows/: `import type` of the activities a workflow proxies, which ' +
        "type proxyActivities (activities/; the reconciler's webhooks/reconciler/activities.ts and " +
        'the cursor type they return). The types vanish from the bundle.',
      { path: '^workflows/' },
      {
        path: PROJECT,
        pathNot: [
          '^workflows/',
          '^activities/',
          '^webhooks/reconciler/activities\\.ts$',
          '^webhooks/event-cursor\\.ts$',
        ],
        dependencyTypes: ['type-only'],
      },
    ),
    forbid(
      'workflows-core-imports-no-provider',
      "workflows/core/ is provider-neutral: both providers' workflows build on it, so it names neither.",
      { path: '^workflows/core/' },
      { path: '^workflows/(flexport|flxpoint)/' },
    ),
    forbid(
      'activities-import-workflows-and-infra-only',
      'activities/ talk to the outside for the workflows: they may use the workflow-safe schemas and ' +
        'names in workflows/ and the process infrastructure in infra/, nothing that runs them.',
      { path: '^activities/' },
      { path: PROJECT, pathNot: '^(activities|workflows|infra)/' },
    ),
    forbid(
      'providers-import-workflows-activities-infra-only',
      "providers/ is the host-side provider registry: each provider's workflow-side description " +
        '(workflows/), its activities and clients (activities/) and infra/. The processes look ' +
        'providers up in it, never the other way.',
      { path: '^providers/' },
      { path: PROJECT, pathNot: '^(providers|workflows|activities|infra)/' },
    ),
    forbid(
      'worker-imports-no-client-webhooks-codec-server',
      'worker/ runs workers: the command line (client/), the webhook receiver (webhooks/) and the ' +
        "codec server are processes of their own that use the worker's configuration, not the " +
        'reverse. The payload codec (codec/aes-gcm.ts, codec/keys.ts) is allowed: its connection ' +
        'to Temporal encrypts with it.',
      { path: '^worker/' },
      { path: '^(client|webhooks|codec)/', pathNot: PAYLOAD_CODEC },
    ),
    forbid(
      'webhooks-import-no-client-codec-server',
      'webhooks/ turns provider events into signals: it may use the workers and their configuration, ' +
        'never the command line (client/) or the codec server. The payload codec is allowed, as for ' +
        'worker/.',
      { path: '^webhooks/' },
      { path: '^(client|codec)/', pathNot: PAYLOAD_CODEC },
    ),
    forbid(
      'codec-imports-infra-only',
      'codec/ (the payload codec and its server) is loaded by every process that talks to Temporal ' +
        'and runs alone as the codec server: it needs nothing but infra/ (its logger).',
      { path: '^codec/' },
      { path: PROJECT, pathNot: '^(codec|infra)/' },
    ),
    forbid(
      'sandbox-imports-infra-only',
      'sandbox/ emulates the providers as they are, not as poflow reads them, so it shares no schema ' +
        "with poflow: it uses infra/ (its logger) and one wire contract, poflow's notification " +
        'signature (activities/notification-signature.ts), which its inbox checks as an ERP would.',
      { path: '^sandbox/' },
      { path: PROJECT, pathNot: ['^(sandbox|infra)/', '^activities/notification-signature\\.ts$'] },
    ),
    forbid(
      'notification-signature-stands-alone',
      'The sandbox imports activities/notification-signature.ts: it must stay a leaf (Node only), ' +
        'or it would bring the rest of activities/ into the emulator.',
      { path: '^activities/notification-signature\\.ts$' },
      { path: PROJECT },
    ),
    forbid(
      'nothing-imports-test-bench-scripts',
      'test/, bench/ and scripts/ drive poflow from outside; what ships never depends on them. The ' +
        'exception is the build (scripts/build.js): bin/poflow.js runs it when dist/ is stale.',
      { pathNot: '^(test|bench|scripts)/' },
      { path: '^(test|bench|scripts)/', pathNot: '^scripts/build\\.js$' },
    ),
  ],
  options: {
    // Type-only imports are dependencies too: `import type` can close a cycle or cross a layer.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)node_modules/', '^dist/', '^\\.temporal/'] },
    // The graph is poflow's own modules: npm packages and Node built-ins are no rule's business.
    includeOnly: PROJECT,
  },
};
