// Runs checks/vectors.js in the browser: the same suites as under node, the vectors fetched from
// the server (tests/vectors is served at /vectors/ by the test harness). Results go into the DOM
// (body[data-pass], body[data-fail], #failures); tests/browser reads them.
import { SUITES } from './checks/vectors.js';

const status = document.getElementById('status');
const failures = document.getElementById('failures');

function evalBlocked() {
  try {
    // eslint-disable-next-line no-new-func
    new Function('return 1')();
    return false;
  } catch {
    return true;
  }
}

async function main() {
  let pass = 0;
  let fail = 0;
  for (const suite of SUITES) {
    const response = await fetch(`/vectors/${suite.file}`);
    const vectors = await response.json();
    for (const [name, run] of suite.cases(vectors)) {
      try {
        run();
        pass += 1;
      } catch (error) {
        fail += 1;
        const item = document.createElement('li');
        item.textContent = `${suite.file}: ${name}: ${error.message}`;
        failures.append(item);
      }
    }
  }
  document.body.dataset.evalBlocked = String(evalBlocked());
  document.body.dataset.pass = String(pass);
  document.body.dataset.fail = String(fail);
  if (!fail) {
    const item = document.createElement('li');
    item.textContent = 'none';
    failures.append(item);
  }
  status.textContent = `${pass} passed, ${fail} failed`;
  document.body.dataset.done = 'true';
}

main().catch((error) => {
  status.textContent = `the checks could not run: ${error.message}`;
  document.body.dataset.error = error.message;
  document.body.dataset.done = 'true';
});
