// The booth's voter-side library in one import: `import * as booth from './js/index.js'`.
// Each module cites the spec sections it implements; see booth/README.md for the map.

export * as errors from './errors.js';
export * as bytes from './bytes.js';
export * as group from './group.js';
export * as hashing from './hashing.js';
export * as canonical from './canonical.js';
export * as elgamal from './elgamal.js';
export * as proofs from './proofs.js';
export * as ed25519 from './ed25519.js';
export * as credentials from './credentials.js';
export * as merkle from './merkle.js';
export * as board from './board.js';
export * as ballot from './ballot.js';
export * as audit from './audit.js';
export * as receipt from './receipt.js';
