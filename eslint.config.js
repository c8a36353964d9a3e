// ESLint 9 flat config: typescript-eslint (type-aware) for .ts, eslint-plugin-svelte for
// components and pages. Formatting is Prettier's job (.prettierrc.json), so no style rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Generated, installed or written by runs; never linted.
    ignores: ['.output/', '.wxt/', '.tmp/', 'native-host/dist/', 'demo-output/', 'bench-results/', '**/node_modules/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  svelte.configs.recommended,
  {
    languageOptions: {
      // The extension runs in browsers, the node and tests in Node; both sets are known everywhere.
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // The Svelte compiler's warnings, accessibility (a11y_*) among them, as lint errors.
      'svelte/valid-compile': 'error',
    },
  },
  {
    rules: {
      // Unused code is a real problem; `_name` marks what is unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `any` is tolerated at the boundaries (JSON from the wire, polkadot.js codecs) but
      // should be narrowed there: a warning, not an error.
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-assignment': 'warn',
      '@typescript-eslint/no-unsafe-call': 'warn',
      '@typescript-eslint/no-unsafe-member-access': 'warn',
      '@typescript-eslint/no-unsafe-return': 'warn',
      // A dropped promise loses its rejection; `void p` says it is dropped on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      // Off: they mostly flag fakes and adapters that implement an async or method-style
      // interface (`async get() { return x }`, `{ settings: deps.settings }`), not bugs.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  {
    // Plain JavaScript (the CLI launcher, the host build script, this file) is outside the
    // tsconfig project: no type information, so no type-aware rules.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
