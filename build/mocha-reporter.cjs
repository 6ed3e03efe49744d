// mocha's spec output on the console, plus the counts in a JSON file for build/test.mjs.
const fs = require('node:fs');
const Mocha = require('mocha');

class CountingSpecReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const output = options.reporterOptions?.output;
    const counts = { passed: 0, failed: 0, skipped: 0 };
    runner.on('pass', () => counts.passed++);
    runner.on('fail', () => counts.failed++);
    runner.on('pending', () => counts.skipped++);
    runner.once('end', () => output && fs.writeFileSync(output, JSON.stringify(counts)));
  }
}

module.exports = CountingSpecReporter;
