'use strict';
// Spec output plus one closing line that CI can read: "N passed, N failed, N skipped".
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class CountingSpec extends Spec {
  constructor(runner, options) {
    super(runner, options);
    let pending = 0;
    runner.on(EVENT_TEST_PENDING, () => {
      pending += 1;
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? {};
      // Printed after Spec's epilogue (registered first), alone on its line.
      process.stdout.write(`\ntests: ${s.passes ?? 0} passed, ${s.failures ?? 0} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = CountingSpec;
