// Resolve hook (see vendor-hooks.mjs): '@noble/curves/x.js' -> booth/vendor/@noble/curves/x.js.
const VENDOR = new URL('../vendor/', import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('@noble/')) {
    return { url: new URL(specifier, VENDOR).href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
