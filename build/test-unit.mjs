// `npm run test:unit`: the fast unit tests (test/mocha/unit: the lifecycle's rules against a fake facade), compiled
// and run in seconds, without building the executables. `npm test` runs them too, with every other suite.
import path from 'node:path';
import { node22, root } from './config.mjs';
import { run, runMocha } from './run.mjs';

run('tsc', node22.bin, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root]);
const { counts, status } = runMocha('dist/test/mocha/unit/**/*.test.js', path.join(root, 'test-results', 'unit.json'));
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exitCode = status === 0 && counts.failed === 0 && counts.passed > 0 ? 0 : 1;
