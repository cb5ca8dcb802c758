// Spec §9 Merkle tree (RFC 9162 section 2.1): leaf and node hashes, and the verification of inclusion
// (§9.2) and consistency (§9.3) proofs, step by step as crypto/merkle.py. SHA-256 is noble's.
// Sizes and indices are JavaScript numbers (below 2^53, as §4.1 integers are), shifted by
// halving rather than 32-bit bit operations.

import { sha256 } from '@noble/hashes/sha2.js';
import { InclusionProofMismatch, InconsistentLog, MalformedInput } from './errors.js';
import { concat, equal, toHex } from './bytes.js';

export const HASH_LENGTH = 32;
export const EMPTY_ROOT = sha256(new Uint8Array(0));
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** Spec §9.1 SHA-256(0x00 || d). */
export function leafHash(data) {
  return sha256(concat(LEAF, data));
}

/** Spec §9.1 SHA-256(0x01 || l || r). */
export function nodeHash(left, right) {
  return sha256(concat(NODE, left, right));
}

/** Spec §9.1 The Merkle tree hash of a list of leaf hashes (RFC 9162 section 2.1.1). */
export function treeHash(hashes) {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(treeHash(hashes.slice(0, k)), treeHash(hashes.slice(k)));
}

const odd = (x) => x % 2 === 1;
const half = (x) => Math.floor(x / 2);

function isPowerOfTwo(x) {
  let v = x;
  while (v > 1 && !odd(v)) v = half(v);
  return v === 1;
}

function checkSize(size, what) {
  if (!Number.isSafeInteger(size) || size < 0) throw new MalformedInput(`${what} out of range: ${size}`);
}

function checkHashes(what, hashes) {
  hashes.forEach((h, i) => {
    if (h.length !== HASH_LENGTH) throw new MalformedInput(`${what} ${i} is ${h.length} bytes, not 32`);
  });
}

/**
 * Spec §9.2 The root an inclusion proof leads to (RFC 9162 section 2.1.3.2). Throws MalformedInput
 * (index >= tree_size, a hash not 32 bytes, a proof of the wrong length).
 */
export function rootFromInclusionProof({ leafHash: leaf, index, treeSize, proof }) {
  checkSize(treeSize, 'tree size');
  checkHashes('leaf hash', [leaf]);
  checkHashes('proof hash', proof);
  // 1. leaf_index >= tree_size fails.
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
    throw new MalformedInput(`leaf index ${index} is not in a tree of size ${treeSize}`);
  }
  // 2. fn = leaf_index, sn = tree_size - 1, r = leaf_hash.
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  // 3. For each p in the proof:
  for (const p of proof) {
    if (sn === 0) throw new MalformedInput(`inclusion proof too long for leaf ${index} of tree size ${treeSize}`);
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (fn !== 0 && !odd(fn)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 4. sn must be 0.
  if (sn !== 0) throw new MalformedInput(`inclusion proof too short for leaf ${index} of tree size ${treeSize}`);
  return r;
}

/** Spec §9.2 Throws MalformedInput, or InclusionProofMismatch carrying both roots. */
export function verifyInclusion({ leafHash: leaf, index, treeSize, proof, root }) {
  checkHashes('root', [root]);
  const calculated = rootFromInclusionProof({ leafHash: leaf, index, treeSize, proof });
  if (!equal(calculated, root)) {
    throw new InclusionProofMismatch(`leaf ${index} of tree size ${treeSize}`, { expected: root, calculated });
  }
}

/**
 * Spec §9.3 Check that the tree `newRoot` of `newSize` extends the tree `oldRoot` of `oldSize`
 * (RFC 9162 section 2.1.4.2). Throws MalformedInput (a size out of range, a hash not 32 bytes) or
 * InconsistentLog (the two tree heads cannot both be views of one append-only log).
 */
export function verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof }) {
  checkSize(oldSize, 'old tree size');
  checkSize(newSize, 'new tree size');
  checkHashes('old root', [oldRoot]);
  checkHashes('new root', [newRoot]);
  checkHashes('proof hash', proof);
  if (newSize < oldSize) throw new InconsistentLog(`tree size went down from ${oldSize} to ${newSize}`);
  if (oldSize === newSize) {
    if (proof.length) throw new InconsistentLog('consistency proof between equal sizes must be empty');
    if (!equal(oldRoot, newRoot)) {
      throw new InconsistentLog(`two different roots for tree size ${oldSize}: ${toHex(oldRoot)} and ${toHex(newRoot)}`);
    }
    return;
  }
  if (oldSize === 0) {
    if (proof.length) throw new InconsistentLog('consistency proof from the empty tree must be empty');
    return;
  }
  // 1. An empty proof fails.
  if (!proof.length) throw new InconsistentLog(`empty consistency proof from size ${oldSize} to ${newSize}`);
  // 2. If first is an exact power of 2, prepend first_hash.
  const path = [...proof];
  if (isPowerOfTwo(oldSize)) path.unshift(oldRoot);
  // 3. fn = first - 1, sn = second - 1; 4. while fn is odd, shift both right.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr = sr = the first value.
  let fr = path[0];
  let sr = path[0];
  // 6. For each subsequent value c:
  for (const c of path.slice(1)) {
    if (sn === 0) throw new InconsistentLog(`consistency proof too long (${oldSize} to ${newSize})`);
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (fn !== 0 && !odd(fn)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7. fr = first_hash, sr = second_hash, sn = 0.
  if (sn !== 0) throw new InconsistentLog(`consistency proof too short (${oldSize} to ${newSize})`);
  if (!equal(fr, oldRoot)) {
    throw new InconsistentLog(`consistency proof gives old root ${toHex(fr)}, the old tree head says ${toHex(oldRoot)} (size ${oldSize})`);
  }
  if (!equal(sr, newRoot)) {
    throw new InconsistentLog(`consistency proof gives new root ${toHex(sr)}, the new tree head says ${toHex(newRoot)} (size ${newSize})`);
  }
}
