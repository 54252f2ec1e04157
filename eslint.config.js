// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['node_modules', '.temporal', '.data', 'dist', 'test-artifacts', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // workflows/ is the deterministic bundle boundary: nothing in it may do IO, and from outside it
    // only types may come (they vanish in the bundle).
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'fs/*',
                'path',
                'http',
                'https',
                'net',
                'child_process',
                'crypto',
                'os',
              ],
              message: 'workflow code does no IO: Node built-ins belong in activities, worker or client',
            },
            {
              group: [
                'got',
                'pino',
                'fastify',
                'better-sqlite3',
                'prom-client',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message: 'workflow code does no IO: this package belongs in activities, worker or client',
            },
            {
              // Any depth: workflows/core/x.ts reaching ../../activities is as much outside as ../activities.
              group: [
                '**/activities',
                '**/activities/**',
                '**/worker',
                '**/worker/**',
                '**/client',
                '**/client/**',
                '**/webhooks',
                '**/webhooks/**',
                '**/sandbox',
                '**/sandbox/**',
                '**/codec',
                '**/codec/**',
                '**/infra',
                '**/infra/**',
                // The host-side registry's files (workflows/providers.ts is the workflow side's).
                '**/providers/**',
                '**/bin/**',
              ],
              allowTypeImports: true,
              message: 'workflows/ is the bundle boundary: only `import type` from outside it',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
