// Jest's own order (failed first, then slowest first), except that suites marked `@disruptive`
// in their source run after all the others: they stop a shared service (the broker), and a suite
// that starts while that service is still recovering would fail for a reason not its own.
const { readFileSync } = require('fs');
const Sequencer = require('@jest/test-sequencer').default;

const disruptive = (test) => /@disruptive\b/.test(readFileSync(test.path, 'utf8'));

module.exports = class DisruptiveLast extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter((t) => !disruptive(t)), ...sorted.filter(disruptive)];
  }
};
