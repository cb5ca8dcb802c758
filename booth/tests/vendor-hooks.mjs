// Node's stand-in for the booth pages' import map: '@noble/...' resolves to booth/vendor/, so
// the tests run the very files the browser loads. Registered by `node --import`.
import { register } from 'node:module';

register('./vendor-resolve.mjs', import.meta.url);
