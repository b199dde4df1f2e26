// Three tiers by file suffix (unit: pure, int: one adapter against a real service,
// e2e: the running system). int and e2e need the local stack (`make stack`).
const fs = require('fs');
const swc = ['@swc/jest', JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'))];
const tier = (name, setup) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  testMatch: [`<rootDir>/src/**/*.${name}.spec.ts`, `<rootDir>/test/**/*.${name}.spec.ts`],
  setupFiles: ['reflect-metadata'],
  setupFilesAfterEnv: setup ? [setup] : [],
});
module.exports = {
  projects: [
    tier('unit'),
    tier('int', '<rootDir>/test/setup-services.ts'),
    tier('e2e', '<rootDir>/test/setup-services.ts'),
  ],
};
