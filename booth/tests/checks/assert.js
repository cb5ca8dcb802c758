// A few assertions that run the same in node's test runner and in the browser test page.

export class AssertionError extends Error {}

function show(value) {
  if (value instanceof Uint8Array) return `bytes(${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')})`;
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function same(a, b) {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return same(ka, kb) && ka.every((k) => same(a[k], b[k]));
  }
  return Object.is(a, b);
}

export function equal(actual, expected, what = 'value') {
  if (!same(actual, expected)) throw new AssertionError(`${what}: got ${show(actual)}, expected ${show(expected)}`);
}

export function ok(condition, what) {
  if (!condition) throw new AssertionError(what);
}

/** `fn` must throw a verivote error whose `code` is `code` (and whose message matches `pattern`). */
export function throwsCode(fn, code, what = 'call', pattern = undefined) {
  try {
    fn();
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    if (error?.code !== code) throw new AssertionError(`${what}: threw ${error?.code ?? error?.name}: ${error?.message}, expected ${code}`);
    if (pattern !== undefined && !pattern.test(error.message)) {
      throw new AssertionError(`${what}: message ${JSON.stringify(error.message)} does not match ${pattern}`);
    }
    return error;
  }
  throw new AssertionError(`${what}: did not throw, expected ${code}`);
}
