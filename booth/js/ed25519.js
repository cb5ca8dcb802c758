// Spec §8.1 Ed25519 role signatures (administrator, issuer, trustee, board), verified strictly
// by libsodium's rules, as PyNaCl does on the Python side: S < L, canonical encodings of A and
// R, neither of small order, and the cofactorless equation encode(S·B - k·A) = R byte for byte.
//
// Why not noble's `ed25519.verify(..., { zip215: false })` alone: it decodes strictly and
// rejects a small-order A, but it checks the cofactored equation and accepts a small-order R,
// so it accepts signatures libsodium refuses (booth/tests/vectors.test.mjs has such a case).
// Every point and scalar operation below is noble's.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { InvalidSignature, MalformedInput } from './errors.js';
import { concat, equal, os2ip, parseHex } from './bytes.js';
import { Dst, encodeParts } from './hashing.js';

export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
const EdPoint = ed25519.Point;
const L = EdPoint.Fn.ORDER;

function littleEndian(bytes) {
  return os2ip(Uint8Array.from(bytes).reverse());
}

/** Spec §8.1 The bytes an Ed25519 role signature signs: encode_parts(tag, purpose, m). */
export function signedBytes(purpose, message) {
  return encodeParts(Dst.ED25519, purpose, message);
}

/** RFC 8032 verification with libsodium's strict rules; true iff the signature verifies. */
export function verifyEd25519Strict(publicKey, message, signature) {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  const rBytes = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32));
  if (s >= L) return false; // non-canonical S
  let A;
  let R;
  try {
    A = EdPoint.fromBytes(publicKey, false); // strict: y < p, no negative zero
    R = EdPoint.fromBytes(rBytes, false);
  } catch {
    return false;
  }
  if (A.isSmallOrder() || R.isSmallOrder()) return false;
  const k = EdPoint.Fn.create(littleEndian(sha512(concat(rBytes, publicKey, message))));
  const check = EdPoint.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return equal(check.toBytes(), rBytes);
}

/**
 * Spec §8.1 Check the role signature made for `purpose` (bytes, e.g. "board/sth") over
 * `message`. Throws InvalidSignature (any reason, one message, as crypto/signing.py).
 */
export function verifyRoleSignature(publicKey, purpose, message, signature) {
  if (signature.length !== SIGNATURE_LENGTH) throw new InvalidSignature('Ed25519 signature must be 64 bytes');
  if (!verifyEd25519Strict(publicKey, signedBytes(purpose, message), signature)) {
    throw new InvalidSignature('Ed25519 signature does not verify');
  }
}

/** Spec §8.1 An Ed25519 public key in JSON: 64 lower-case hex digits. */
export function verifyKeyFromHex(text, what = 'Ed25519 public key') {
  return parseHex(text, PUBLIC_KEY_LENGTH, what);
}

/** Spec §8.1 A signature in JSON: 128 lower-case hex digits. */
export function signatureFromHex(text, what = 'signature') {
  const bytes = parseHex(text, SIGNATURE_LENGTH, what);
  if (bytes.length !== SIGNATURE_LENGTH) throw new MalformedInput(`${what} must be 64 bytes`);
  return bytes;
}
