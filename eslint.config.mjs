// Lint rules (ESLint flat config with typescript-eslint). `npm run lint` runs them with the
// import-cycle test; `npm test` runs `npm run lint` first. Formatting is Prettier's job
// (.prettierrc.json), not ESLint's.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', 'data/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Type-aware rules (floating promises) need the program; the project service finds the
      // nearest tsconfig.json of each file (src/ui has its own, for the browser).
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // A promise nobody awaits or catches loses its rejection: await it, return it, or mark it `void`.
      // node:test's test/describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read JSON answers of the API field by field; typing each body buys nothing there.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The factory registry holds factories of every config type (`Factory<any>`: their config
    // types are unrelated, and `create` is called with what their own schema produced).
    files: ['src/components.ts', 'src/service/bridge.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
