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
/**
 * Each client library may be imported only by its adapter folder (tests may import them to
 * observe). One rule entry per file set holds every package's pattern: flat-config entries for
 * the same rule replace each other, so separate entries per package would leave only the last.
 */
const CONFINED = {
  kafkajs: 'kafka',
  pg: 'postgres',
  '@kafkajs/confluent-schema-registry': 'schema-registry',
  '@kubernetes/client-node': 'kubernetes',
};
const confinedRule = (ownFolder) => [
  'error',
  {
    patterns: Object.entries(CONFINED)
      .filter(([, folder]) => folder !== ownFolder)
      .map(([pkg, folder]) => ({
        group: [pkg],
        message: `only src/infrastructure/${folder} may import ${pkg}`,
      })),
  },
];
const confined = [
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': confinedRule() },
  },
  ...Object.values(CONFINED).map((folder) => ({
    files: [`src/infrastructure/${folder}/**/*.ts`],
    ignores: ['src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': confinedRule(folder) },
  })),
];

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
  ...confined,
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
    // Replay never has side effects (DESIGN.md §1.5): replay and `sentinel replay` may not import
    // what acts on the world (Kubernetes, sagas and effect workers, HTTP clients and servers,
    // child processes), so an effect cannot be reached from them by accident or by a later edit.
    // A rule of its own name so it adds to the client confinement above instead of replacing it.
    files: ['src/eventing/replay*.ts', 'src/cli/replay.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/kubernetes',
                '**/kubernetes/**',
                '@kubernetes/*',
                '**/sagas',
                '**/sagas/**',
                'http',
                'https',
                'child_process',
                'node:http',
                'node:https',
                'node:child_process',
              ],
              message: 'replay must not be able to reach an effect (DESIGN.md §1.5)',
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
