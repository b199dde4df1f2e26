// Lint enforces the layering of DESIGN.md §7 and small modules (STYLE.md practice 14).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const IO_PACKAGES = [
  'kafkajs',
  '@kafkajs/*',
  'pg',
  'pg-*',
  '@kubernetes/*',
  'avsc',
  'express',
  'fs',
  'fs/*',
  'http',
  'https',
  'net',
  'child_process',
  'node:*',
];
const FRAMEWORKS = ['@nestjs/*', 'nestjs-*', 'pino', 'pino-*', 'prom-client', 'rxjs', 'commander', 'zod'];

/** Each client library may be imported only by its adapter folder (and by tests, to observe). */
const confined = (pkg, folder) => ({
  files: ['src/**/*.ts'],
  ignores: [`src/infrastructure/${folder}/**`, 'src/**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: [pkg], message: `only src/infrastructure/${folder} may import ${pkg}` }] },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stack/**', 'scripts/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      complexity: ['error', 12],
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-depth': ['error', 3],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  confined('kafkajs', 'kafka'),
  confined('pg', 'postgres'),
  confined('@kafkajs/confluent-schema-registry', 'schema-registry'),
  confined('@kubernetes/client-node', 'kubernetes'),
  {
    // The domain is pure: no framework, no I/O, no clock or randomness from outside.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...IO_PACKAGES, ...FRAMEWORKS],
              message: 'src/domain must stay pure: no framework or I/O imports',
            },
            {
              group: [
                '**/infrastructure/**',
                '**/commands/**',
                '**/projections/**',
                '**/sagas/**',
                '**/http/**',
              ],
              message: 'src/domain may not depend on outer layers',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
);
