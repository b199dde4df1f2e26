// Three tiers by file suffix (unit: pure, int: one adapter against a real service,
// e2e: the running system). int and e2e need the local stack (`make stack`).
const fs = require('fs');
const swc = ['@swc/jest', JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'))];
// @kubernetes/client-node 1.x and some of its dependencies ship only ES modules. Node 20 loads
// them with require(esm), but jest's module runtime cannot, so jest compiles them to CommonJS.
const ESM_PACKAGES = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose'];
const tier = (name, setup) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testMatch: [`<rootDir>/src/**/*.${name}.spec.ts`, `<rootDir>/test/**/*.${name}.spec.ts`],
  setupFiles: ['reflect-metadata'],
  setupFilesAfterEnv: setup ? [setup] : [],
  // The local stack's data (etcd keeps *.snap files) is not the project's: no haste map, no
  // "obsolete snapshot" reports.
  modulePathIgnorePatterns: ['<rootDir>/.stack/', '<rootDir>/dist/'],
});
module.exports = {
  testSequencer: `${__dirname}/scripts/jest-sequencer.js`,
  projects: [
    tier('unit'),
    tier('int', '<rootDir>/test/setup-services.ts'),
    tier('e2e', '<rootDir>/test/setup-services.ts'),
  ],
};
