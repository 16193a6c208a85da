import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test/.cache/**', 'coverage/**', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte', 'src-renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // The renderer never reaches Node or Electron directly: only the typed API.
    files: ['src-renderer/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['electron', 'node:*', '**/core/**'] }] },
  },
  {
    // The core is plain Node: it must never import Electron.
    files: ['src-main/core/**', 'src-main/cli/**', 'src-main/api/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'] }] },
  },
);
