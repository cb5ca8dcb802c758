// Every vector suite of checks/vectors.js under node's test runner (run by `make test` through
// tests/test_booth_node.py: node --import ./tests/vendor-hooks.mjs --test tests/).
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SUITES } from './checks/vectors.js';

const VECTORS = new URL('../../tests/vectors/', import.meta.url);

for (const suite of SUITES) {
  const vectors = JSON.parse(readFileSync(new URL(suite.file, VECTORS), 'utf8'));
  for (const [name, run] of suite.cases(vectors)) test(`${suite.file}: ${name}`, run);
}
